// The system SQLite's C API, for the embedded store's hot read paths (proofs and verify).
#include <sqlite3.h>
