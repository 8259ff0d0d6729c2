#ifndef DAUYS_COPENSSL_SHIM_H
#define DAUYS_COPENSSL_SHIM_H
/* The EC_POINTs_* multi-point API is deprecated in OpenSSL 3 but is the only public
   multi-scalar multiplication; keep it visible without warnings. */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#endif
