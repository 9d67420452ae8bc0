/*
 * Shared helpers of the cmocka unit tests: the includes cmocka needs, in the order it needs
 * them, and a macro to build a test table from an array of cases.
 */
#ifndef RK_TEST_H
#define RK_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#define RK_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
