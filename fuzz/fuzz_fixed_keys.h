/*
 * fuzz_fixed_keys.h — fixed test keys shared by the harnesses and
 * make_seeds.c. Made once with `shroud keygen` (native) and
 * `shroud keygen --rsa 2048` (RSA); they protect nothing and must never be
 * used for anything but fuzzing. Changing them invalidates the seed corpora
 * (re-run fuzz/make_seeds.sh).
 */
#ifndef SHROUD_FUZZ_FIXED_KEYS_H
#define SHROUD_FUZZ_FIXED_KEYS_H

/* A native identity (X25519 + Ed25519), as an identity file. */
#define FUZZ_NATIVE_IDENTITY                                                                       \
    "# shroud identity: keep this file secret\n"                                                   \
    "# public key: "                                                                               \
    "shroudpk1mk4v00q08tqmkyvz4hcucu4k967qn6r4jysrxfxvsgs63ak0pg5lqttvmh6h4mpv3tqg47g47yeprv06pwh" \
    "0n5qpr5xcvtu0pz6m9tqk76x66\n"                                                                 \
    "SHROUD-SECRET-KEY-"                                                                           \
    "1FL3A6095GU03Z46FZYAV090NG6GZ73D7C3302T6HCK9687JL2PKDKAE4G20KLJG7E0RAXDV8KQY2MEM66FAXCTAJQKP" \
    "7TZFLFYX97MQQCRT52\n"

/* Its public key. */
#define FUZZ_NATIVE_RECIPIENT                                                                      \
    "shroudpk1mk4v00q08tqmkyvz4hcucu4k967qn6r4jysrxfxvsgs63ak0pg5lqttvmh6h4mpv3tqg47g47yeprv06pwh" \
    "0n5qpr5xcvtu0pz6m9tqk76x66"

/* An RSA-2048 identity (PKCS#8 PEM) and its public key (SPKI PEM). */
#define FUZZ_RSA_IDENTITY                                                                          \
    "-----BEGIN PRIVATE KEY-----\n"                                                                \
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDUQ2MItCSGx7Ho\n"                           \
    "eWrIdxloG9Kl6knJ5dBXhqWkIjmCgGN5vgdly3Nak4e0R0JdZPknD7D7p3GWA1aL\n"                           \
    "IGyml2vnNFzLFOUrmVYtjx6M6iIK1nqPhZEkVqlyyVtymlp+1va/60VmHyAWNS98\n"                           \
    "CUQC9cj4qx0D08c9VZ1cylLD9Omr8unHuTtW0RmVX8VEP5pt10e/z2OQ5dv+ulSK\n"                           \
    "oxJNzxnCfluudv8nqfFzPjAnaCDtVj4rrz078FeRVi2iqpRoKRqYIO6xbxt8nstU\n"                           \
    "CblQqCaFEPFIngSNCUGO94FG22sbWvd60VDuYKmv18DwtdKkgdhzQFA2223JMKZG\n"                           \
    "H2DToQSFAgMBAAECggEANA6RxXLuqVpk1KugZ2kkIz79lqDCt4AD7E9SpNIa8hk8\n"                           \
    "LEGRTWML15kqdSlryn1myHBl+pXqery3Vxgc5W9p8HJMVqb5fEuXEcXRm4QZVLic\n"                           \
    "psG+Yp/ZX1QoOA9IZeag7dkMtFqqUx/4lQ4trp8qSmgmzcc8zBtI5FafXT0dqMRQ\n"                           \
    "NhiiaVIN1rtooR1l1tImhmfKQ8YSxHjWW9nluTK29aMrhy7vmOOXn8n01uJogv9C\n"                           \
    "jlFfeZiBiD4YOktfGyZqqh/1spxQq8F/TWTUO0EcxIy1M7hR7tP5fMXc5agv/WBa\n"                           \
    "0iukSkhM3PZM98Iyh4wrcU6xVoD1qtm+5O+ezb/vqQKBgQDvNsRDsf/VXBT95sLq\n"                           \
    "C9EjaAua9np4I2ja/FQSMHrm0ThHk4TRNcK1kdQEhK5ujoxqXwiFVMNZpZ1E5mws\n"                           \
    "p12nHdb46bYIjShpkpIddCbfjnXMfFhOWkFZUmkYbkgGfbsVBv8PX/CiQZDgPGxZ\n"                           \
    "2m5KBPY39F1W5Bgf8CGKEELFCQKBgQDjKHp5532n9zh22dRKmikxbCaq0lPvoOLi\n"                           \
    "ZnEXnTt6FNV/8PguAONZ8hsFMWeYgWD2mpqb1tGEi3Ep78ekk4IelkaSATSTbxp2\n"                           \
    "fsOwW9s/bU6EIS+U9o5jPcXtKPoRXX+k3jfXwjd72mwqUxYYyTSFy2FHbhwFRijs\n"                           \
    "Gi7qesY+nQKBgBabxHzpa9aMd2dv0egw6blA8ifZN8X3Asf/pSp67oK2L22EYb8s\n"                           \
    "J5TljXZH2/yS+G5tQO7pDfWBE5YZeQvXXaCXz2ODIzM3tCQWOD0UZ0AlxLho4Ce3\n"                           \
    "nAmHImuusJv8chwQpzaayLFtJPYsf8kWPeo9AdBUBiZaNHWASosz8juRAoGBAI75\n"                           \
    "LkVGB5fNiZN8vRqLdzvtJ1VC9qOPbt4yviGvy/yl2k8huwMxeedl883L77lUTVRJ\n"                           \
    "sOA/UDYNkhdkHRMf6LkZuqcw7QeS2WQVm1OILTH5uX5+aLVojew2uDnyHZsKb0m0\n"                           \
    "uA8r5cIlkwj8rJ7DHTTM8piD3E0RgLZCMJ9S0S4dAoGAFdO4XIl2ia13rDX2OX/h\n"                           \
    "TG4/Co3VA/4gIcXoqakwTRE9ac+wKeXMb8hKDcDTQKfF/KF0gKaBx15neI3t/axt\n"                           \
    "mack8fl+5tQ/qC9UH8bvoX44eQRWg1nZiZ0vWxpSgbMQoaUqf++eGQAH0HOekBhr\n"                           \
    "QG8cng1aZoxwK9qNmZrBiMU=\n"                                                                   \
    "-----END PRIVATE KEY-----\n"

#define FUZZ_RSA_RECIPIENT                                                                         \
    "-----BEGIN PUBLIC KEY-----\n"                                                                 \
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1ENjCLQkhsex6HlqyHcZ\n"                           \
    "aBvSpepJyeXQV4alpCI5goBjeb4HZctzWpOHtEdCXWT5Jw+w+6dxlgNWiyBsppdr\n"                           \
    "5zRcyxTlK5lWLY8ejOoiCtZ6j4WRJFapcslbcppaftb2v+tFZh8gFjUvfAlEAvXI\n"                           \
    "+KsdA9PHPVWdXMpSw/Tpq/Lpx7k7VtEZlV/FRD+abddHv89jkOXb/rpUiqMSTc8Z\n"                           \
    "wn5brnb/J6nxcz4wJ2gg7VY+K689O/BXkVYtoqqUaCkamCDusW8bfJ7LVAm5UKgm\n"                           \
    "hRDxSJ4EjQlBjveBRttrG1r3etFQ7mCpr9fA8LXSpIHYc0BQNtttyTCmRh9g06EE\n"                           \
    "hQIDAQAB\n"                                                                                   \
    "-----END PUBLIC KEY-----\n"

/* The passphrase of the passphrase seeds (fuzz_envelope_open accepts it only
 * for the cheapest scrypt cost, log2 N = 10). */
#define FUZZ_PASSPHRASE "fuzz passphrase"

/* The message the signature seeds sign (fuzz_signature verifies against it). */
#define FUZZ_SIGNED_MESSAGE "shroud fuzz: the message every seed signature covers\n"

#endif
