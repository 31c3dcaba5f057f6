/* pg_common.c — libpq connection helpers shared by store_pg.c and blobs_pg.c. */
#include "server/pg_common.h"

#include <stdio.h>
#include <string.h>

static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

void pg_quiet(PGconn *conn)
{
    PQsetNoticeProcessor(conn, ignore_notice, NULL);
    PQsetErrorVerbosity(conn, PQERRORS_TERSE);
}

int pg_result_ok(const PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

int pg_constraint_violation(const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    return state && strncmp(state, "23", 2) == 0;
}

void pg_primary_message(const PGresult *res, PGconn *conn, char *buf, size_t len)
{
    const char *m = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    snprintf(buf, len, "%s", m ? m : conn ? PQerrorMessage(conn) : "out of memory");
    buf[strcspn(buf, "\n")] = '\0';
}

void pg_log_failure(const char *what, const PGresult *res, PGconn *conn)
{
    char msg[512];
    pg_primary_message(res, conn, msg, sizeof msg);
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    fprintf(stderr, "shroud serve: database: %s: %s%s%s%s\n", what, msg, state ? " (SQLSTATE " : "",
            state ? state : "", state ? ")" : "");
}
