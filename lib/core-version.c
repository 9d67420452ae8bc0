/* The version string of librenkei, from the CMake project version. */
#include "renkei/version.h"

const char *rk_version(void)
{
    return RK_VERSION_STRING;
}
