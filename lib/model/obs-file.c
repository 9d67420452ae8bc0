/*
 * File names with an extension that matters in cyber cases (executables, scripts, archives,
 * macro documents, Android packages). The canonical form is the name as given: file systems
 * differ on case, and "請求書.pdf.exe" must stay recognisable. A name whose extension is also a
 * top-level domain (".zip", ".sh", ".py") is read as a file name, not a domain, unless it comes
 * with a scheme or path that makes it a URL.
 */
#include "obs-internal.h"

#include <string.h>

/* Longest file name we report (NAME_MAX of Linux and Windows). */
#define RK_FILENAME_MAX 255u

static const char *const exts[] = {
    "exe",  "dll",  "scr",  "bat", "cmd",   "ps1",  "psm1", "vbs",  "vbe",  "js",   "jse",
    "wsf",  "wsh",  "hta",  "lnk", "msi",   "msix", "iso",  "img",  "vhd",  "vhdx", "zip",
    "rar",  "7z",   "gz",   "tgz", "tar",   "cab",  "jar",  "apk",  "ipa",  "dmg",  "pkg",
    "doc",  "docx", "docm", "dot", "dotm",  "xls",  "xlsx", "xlsm", "xlsb", "ppt",  "pptx",
    "pptm", "pdf",  "rtf",  "one", "chm",   "html", "htm",  "svg",  "txt",  "csv",  "sh",
    "py",   "elf",  "bin",  "so",  "dylib", "scpt", "reg",  "inf",  "sys",  "xll",  "wll",
};

int rk__obs_file_ext(const char *s, size_t n)
{
    char e[8];
    if (n == 0 || n >= sizeof e)
        return 0;
    for (size_t i = 0; i < n; i++)
        e[i] = (char)rk__lower((unsigned char)s[i]);
    e[n] = '\0';
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (exts[i][0] == e[0] && strcmp(e, exts[i]) == 0)
            return 1;
    return 0;
}

enum rk_status rk__obs_filename(const char *s, size_t n, struct rk__obs_out *o)
{
    if (n == 0 || n > RK_FILENAME_MAX)
        return RK_EINVAL;
    /* The extension first: it rejects nearly every candidate at once. */
    const char *dot = memrchr(s, '.', n);
    if (dot == NULL || dot == s || !rk__obs_file_ext(dot + 1, n - (size_t)(dot + 1 - s)))
        return RK_EINVAL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f || strchr("/\\:*?\"<>|", c) != NULL)
            return RK_EINVAL;
    }
    return rk_buf_add(&o->canon, s, n);
}
