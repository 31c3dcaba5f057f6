/*
 * pg_common.h — what the PostgreSQL store and blob store share about a libpq
 * connection: quiet notices, terse errors, and error text without DETAIL
 * (which could quote a key such as a token hash) or query text.
 */
#ifndef SHROUD_SERVER_PG_COMMON_H
#define SHROUD_SERVER_PG_COMMON_H

#include <libpq-fe.h>
#include <stddef.h>

/* Drops notices ("relation exists, skipping") and makes errors terse. */
void pg_quiet(PGconn *conn);
/* 1 when res is a successful command or query result. */
int pg_result_ok(const PGresult *res);
/* 1 when res failed on an integrity constraint (SQLSTATE class 23): what
 * the SQLite store reports as STORE_EXISTS. */
int pg_constraint_violation(const PGresult *res);
/* The primary message of res, else of conn (NULL conn: out of memory),
 * on one line, into buf. */
void pg_primary_message(const PGresult *res, PGconn *conn, char *buf, size_t len);
/* Logs "shroud serve: database: WHAT: MESSAGE (SQLSTATE ...)" on stderr. */
void pg_log_failure(const char *what, const PGresult *res, PGconn *conn);

#endif
