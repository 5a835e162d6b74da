// The system SQLite's C API, so the plain-insert peer binds rows exactly as the ledger's writer does.
#include <sqlite3.h>
