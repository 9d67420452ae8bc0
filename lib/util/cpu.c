/* The usable CPU count (include/renkei/cpu.h). */
#include "renkei/cpu.h"

#include <sched.h>
#include <unistd.h>

unsigned rk_cpus_usable(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return (unsigned)CPU_COUNT(&set);
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    return c > 0 ? (unsigned)c : 1;
}
