/* core/status.c - version, status and reason names.
 * The strings are part of the CLI's output format; change them only with care. */
#include "internal.h"

#define CHAFF_STR2(x) #x
#define CHAFF_STR(x) CHAFF_STR2(x)

unsigned chaff_version_number(void) { return CHAFF_VERSION_NUMBER; }

const char *chaff_version_string(void)
{
    return CHAFF_STR(CHAFF_VERSION_MAJOR) "." CHAFF_STR(CHAFF_VERSION_MINOR) "."
           CHAFF_STR(CHAFF_VERSION_PATCH);
}

const char *chaff_strerror(chaff_status s)
{
    switch (s) {
    case CHAFF_OK: return "success";
    case CHAFF_END: return "end of input";
    case CHAFF_E_NOMEM: return "out of memory";
    case CHAFF_E_ARG: return "invalid argument";
    case CHAFF_E_IO: return "read or write failed";
    case CHAFF_E_JSON: return "invalid JSON";
    case CHAFF_E_FIELD_MISSING: return "text field missing";
    case CHAFF_E_FIELD_TYPE: return "text field is not a string";
    case CHAFF_E_TRUNCATED: return "truncated compressed input";
    case CHAFF_E_CORRUPT: return "corrupt compressed input";
    case CHAFF_E_TOO_LARGE: return "line too long";
    case CHAFF_E_UNSUPPORTED: return "not supported by this CPU";
    }
    return "unknown status";
}

const char *chaff_reason_name(chaff_reason r)
{
    switch (r) {
    case CHAFF_KEEP: return "kept";
    case CHAFF_DROP_EXACT: return "exact";
    case CHAFF_DROP_NEAR: return "near";
    case CHAFF_DROP_INVALID: return "invalid";
    }
    return "unknown";
}
