/* NSS: its plaintext goes through NSPR's PR_Write/PR_Read/PR_Send/PR_Recv
 * (libnspr4.so) on descriptors topped by NSS's SSL layer. */
#ifndef TLSPROBE_LIBS_NSS_H
#define TLSPROBE_LIBS_NSS_H
#include "backend.h"

extern const struct tls_backend nss_backend;
#endif
