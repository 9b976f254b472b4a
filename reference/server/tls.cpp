#include "reference/server/tls.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace mh::reference {
namespace {

namespace ssl = boost::asio::ssl;

[[noreturn]] void fail(const std::string& what) {
    char detail[256] = "no detail";
    if (unsigned long code = ERR_get_error(); code != 0) {
        ERR_error_string_n(code, detail, sizeof detail);
    }
    throw std::runtime_error("TLS: " + what + ": " + detail);
}

struct PkeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct X509Free {
    void operator()(X509* cert) const { X509_free(cert); }
};

// A certificate valid for a year, for `hostname` (CN and subjectAltName), signed by its own key.
void use_generated_pair(SSL_CTX* ctx, const std::string& hostname) {
    std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_EC_gen("P-256"));
    std::unique_ptr<X509, X509Free> cert(X509_new());
    if (!key || !cert) {
        fail("cannot generate a key pair");
    }
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -24L * 3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 365L * 24 * 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("mailharness"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(hostname.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    const std::string san = "DNS:" + hostname;
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, NID_subject_alt_name, san.c_str());
    if (ext == nullptr || X509_add_ext(cert.get(), ext, -1) != 1) {
        X509_EXTENSION_free(ext);
        fail("cannot add subjectAltName " + san);
    }
    X509_EXTENSION_free(ext);
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
        fail("cannot sign the generated certificate");
    }
    if (SSL_CTX_use_certificate(ctx, cert.get()) != 1 ||
        SSL_CTX_use_PrivateKey(ctx, key.get()) != 1) {
        fail("cannot use the generated pair");
    }
}

}  // namespace

ssl::context make_server_tls_context(const std::filesystem::path& cert,
                                     const std::filesystem::path& key,
                                     const std::string& hostname) {
    ssl::context context(ssl::context::tls_server);
    SSL_CTX* ctx = context.native_handle();
    context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::single_dh_use);
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
        fail("cannot require TLS 1.2");
    }
    // TLS 1.2: ECDHE with AEAD only (TLS 1.3 suites are OpenSSL's defaults, all AEAD).
    if (SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!eNULL") != 1) {
        fail("cannot set the cipher list");
    }
    SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
    if (cert.empty()) {
        use_generated_pair(ctx, hostname);
    } else {
        if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1) {
            fail("cannot load the certificate " + cert.string());
        }
        if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
            fail("cannot load the key " + key.string());
        }
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        fail("the certificate and key do not match");
    }
    return context;
}

}  // namespace mh::reference
