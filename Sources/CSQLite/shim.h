// The system SQLite's C API, for the embedded store's hot read paths (proofs and verify) and the audit console.
#include <sqlite3.h>

// sqlite3_db_config is variadic, which Swift cannot call: one fixed-arity wrapper for its integer options.
static inline int countersign_sqlite3_db_config_int(sqlite3 *db, int option, int value) {
    return sqlite3_db_config(db, option, value, (int *)0);
}
