/* The version of librenkei. */
#ifndef RENKEI_VERSION_H
#define RENKEI_VERSION_H

#define RK_VERSION_STRING "0.1.0"

/* Returns RK_VERSION_STRING. Ownership: a static string. */
const char *rk_version(void);

#endif
