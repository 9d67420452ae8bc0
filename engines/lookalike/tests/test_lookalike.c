#include "rk-test.h"
#include "renkei/lookalike.h"
static void t_dummy(void **state) { (void)state; }
int main(void) { const struct CMUnitTest t[] = {cmocka_unit_test(t_dummy)}; return cmocka_run_group_tests(t, NULL, NULL); }
