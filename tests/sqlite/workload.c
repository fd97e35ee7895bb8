/* A deterministic SQL workload for the SQLite amalgamation built as a
 * shared object (R1 in docs/reliability.md).
 *
 *   sqlite_workload ROWS
 *
 * Creates tables in an in-memory database, inserts ROWS orders in
 * transactions of 500 through prepared statements, then runs joins,
 * aggregates, window functions, a recursive CTE, an index rebuild and
 * PRAGMA integrity_check, printing every result row.  The output depends
 * only on ROWS: the data come from a fixed linear congruential generator,
 * and only integers and text are printed (no floating-point formatting,
 * which could differ in the last digit between targets).  Any SQLite
 * error prints "sqlite_workload: <where>: <message>" and exits 1. */
#include <stdio.h>
#include <stdlib.h>

#include "sqlite3.h"

static sqlite3 *db;

static void die(const char *where)
{
  fprintf(stderr, "sqlite_workload: %s: %s\n", where, sqlite3_errmsg(db));
  exit(1);
}

static unsigned long long lcg_state = 42;
static unsigned lcg(unsigned bound)
{
  lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (unsigned)(lcg_state >> 33) % bound;
}

static void exec(const char *sql)
{
  char *error = 0;
  if (sqlite3_exec(db, sql, 0, 0, &error) != SQLITE_OK) {
    fprintf(stderr, "sqlite_workload: %s: %s\n", sql, error);
    exit(1);
  }
}

/* Prints each row as "title| col | col ..." */
static void query(const char *title, const char *sql)
{
  sqlite3_stmt *stmt;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, 0) != SQLITE_OK)
    die(title);
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    printf("%s|", title);
    for (int i = 0; i < sqlite3_column_count(stmt); i++) {
      const unsigned char *text = sqlite3_column_text(stmt, i);
      printf(" %s", text ? (const char *)text : "NULL");
    }
    putchar('\n');
  }
  if (rc != SQLITE_DONE)
    die(title);
  sqlite3_finalize(stmt);
}

static void insert_orders(int rows)
{
  sqlite3_stmt *stmt;
  if (sqlite3_prepare_v2(db, "INSERT INTO orders(customer, product, quantity, cents, note) "
                             "VALUES (?1, ?2, ?3, ?4, ?5)", -1, &stmt, 0) != SQLITE_OK)
    die("prepare insert");
  for (int i = 0; i < rows; i++) {
    if (i % 500 == 0)
      exec("BEGIN");
    /* One lcg() per statement: the order in which arguments are
       evaluated differs between targets. */
    char note[32];
    unsigned serial = lcg(100000);
    char letter = 'a' + lcg(26);
    snprintf(note, sizeof note, "n%05u-%c", serial, letter);
    sqlite3_bind_int(stmt, 1, 1 + lcg(200));
    sqlite3_bind_int(stmt, 2, 1 + lcg(50));
    sqlite3_bind_int(stmt, 3, 1 + lcg(9));
    sqlite3_bind_int64(stmt, 4, 100 + lcg(99900));
    sqlite3_bind_text(stmt, 5, note, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(stmt) != SQLITE_DONE)
      die("insert");
    sqlite3_reset(stmt);
    if (i % 500 == 499 || i == rows - 1)
      exec("COMMIT");
  }
  sqlite3_finalize(stmt);
}

int main(int argc, char **argv)
{
  int rows = argc > 1 ? atoi(argv[1]) : 10000;
  if (rows <= 0) {
    fprintf(stderr, "usage: sqlite_workload ROWS\n");
    return 2;
  }
  if (sqlite3_open(":memory:", &db) != SQLITE_OK)
    die("open");
  printf("sqlite %s, %d rows\n", sqlite3_libversion(), rows);
  exec("CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT NOT NULL, region TEXT NOT NULL);"
       "CREATE TABLE products(id INTEGER PRIMARY KEY, label TEXT UNIQUE, list_cents INTEGER);"
       "CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INTEGER REFERENCES customers(id),"
       " product INTEGER REFERENCES products(id), quantity INTEGER, cents INTEGER, note TEXT);"
       "CREATE INDEX orders_by_customer ON orders(customer, cents);");
  exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)"
       " INSERT INTO customers SELECT i, printf('customer-%03d', i),"
       " CASE i % 4 WHEN 0 THEN 'north' WHEN 1 THEN 'east' WHEN 2 THEN 'south' ELSE 'west' END FROM n;"
       "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)"
       " INSERT INTO products SELECT i, printf('product-%02d', i), i * 137 % 991 FROM n;");
  insert_orders(rows);

  query("count", "SELECT count(*), sum(quantity), sum(cents), min(cents), max(cents) FROM orders");
  query("region",
        "SELECT c.region, count(*), sum(o.quantity * o.cents), count(DISTINCT o.product)"
        " FROM orders o JOIN customers c ON c.id = o.customer GROUP BY c.region ORDER BY c.region");
  query("top-products",
        "SELECT p.label, sum(o.quantity) AS q, sum(o.quantity * p.list_cents)"
        " FROM orders o JOIN products p ON p.id = o.product"
        " GROUP BY p.id ORDER BY q DESC, p.id LIMIT 10");
  query("rank",
        "SELECT customer, total, rank() OVER (ORDER BY total DESC),"
        " ntile(4) OVER (ORDER BY total DESC), sum(total) OVER (ORDER BY total DESC, customer"
        " ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)"
        " FROM (SELECT customer, sum(cents) AS total FROM orders GROUP BY customer)"
        " ORDER BY total DESC, customer LIMIT 15");
  query("running",
        "SELECT id, customer, cents, sum(cents) OVER (PARTITION BY customer ORDER BY id),"
        " lag(cents, 1, 0) OVER (PARTITION BY customer ORDER BY id),"
        " row_number() OVER (PARTITION BY customer ORDER BY cents DESC, id)"
        " FROM orders WHERE customer IN (7, 77, 177) ORDER BY customer, id LIMIT 30");
  query("having",
        "SELECT c.name, count(*), group_concat(DISTINCT o.quantity)"
        " FROM customers c JOIN orders o ON o.customer = c.id"
        " GROUP BY c.id HAVING count(*) > (SELECT count(*) FROM orders) / 150"
        " ORDER BY count(*) DESC, c.id LIMIT 10");
  query("left-join",
        "SELECT count(*) FROM customers c LEFT JOIN orders o ON o.customer = c.id AND o.quantity = 9"
        " WHERE o.id IS NULL");
  query("text",
        "SELECT substr(note, 1, 3), count(*), max(note), upper(min(note)) FROM orders"
        " GROUP BY substr(note, 1, 3) ORDER BY 1 LIMIT 8");
  exec("BEGIN; UPDATE orders SET cents = cents + 1 WHERE quantity = 5;"
       " DELETE FROM orders WHERE id % 97 = 0; COMMIT; REINDEX; ANALYZE;");
  query("after-update", "SELECT count(*), sum(cents), total_changes() FROM orders");
  query("integrity", "PRAGMA integrity_check");
  sqlite3_close(db);
  puts("sqlite_workload: done");
  return 0;
}
