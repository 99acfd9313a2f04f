#ifndef DABROKER_CRABBITMQ_SHIM_H
#define DABROKER_CRABBITMQ_SHIM_H
/* librabbitmq 0.12+ installs its headers under rabbitmq-c/; 0.11 (Debian 12) at the top. */
#if __has_include(<rabbitmq-c/amqp.h>)
#include <rabbitmq-c/amqp.h>
#include <rabbitmq-c/tcp_socket.h>
#elif __has_include(<amqp.h>)
#include <amqp.h>
#include <amqp_tcp_socket.h>
#else
#error "DaBroker needs the Debian package librabbitmq-dev: run 'bash scripts/install-libs.sh' as root (or apt-get install librabbitmq-dev pkg-config)"
#endif

/// `amqp_login` is variadic, which Swift cannot call: this is its PLAIN form.
static inline amqp_rpc_reply_t dab_amqp_login_plain(
    amqp_connection_state_t state, const char *vhost, int channel_max, int frame_max,
    int heartbeat, const char *user, const char *password) {
    return amqp_login(state, vhost, channel_max, frame_max, heartbeat,
                      AMQP_SASL_METHOD_PLAIN, user, password);
}

/// `amqp_login_with_properties` (PLAIN): like `dab_amqp_login_plain`, with client properties
/// such as `connection_name`.
static inline amqp_rpc_reply_t dab_amqp_login_plain_properties(
    amqp_connection_state_t state, const char *vhost, int channel_max, int frame_max,
    int heartbeat, const amqp_table_t *properties, const char *user, const char *password) {
    return amqp_login_with_properties(state, vhost, channel_max, frame_max, heartbeat, properties,
                                      AMQP_SASL_METHOD_PLAIN, user, password);
}

/// `AMQP_EMPTY_BYTES` / `AMQP_EMPTY_TABLE` are compound-literal macros.
static inline amqp_bytes_t dab_amqp_empty_bytes(void) { return amqp_empty_bytes; }
static inline amqp_table_t dab_amqp_empty_table(void) { return amqp_empty_table; }
#endif
