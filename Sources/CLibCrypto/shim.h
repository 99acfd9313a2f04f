#ifndef DABROKER_CLIBCRYPTO_SHIM_H
#define DABROKER_CLIBCRYPTO_SHIM_H
// OpenSSL 3 marks the SHA256_* context functions deprecated in favour of EVP, whose
// contexts live on the heap; an HMAC over a few dozen bytes needs the plain context, which
// can be copied by value (Sources/DaBrokerServer/Support/KeyedMAC.swift).
#define OPENSSL_SUPPRESS_DEPRECATED 1
#if __has_include(<openssl/sha.h>)
#include <openssl/sha.h>
#else
#error "DaBroker needs the Debian package libssl-dev: run 'bash scripts/install-libs.sh' as root (or apt-get install libssl-dev pkg-config)"
#endif
#endif
