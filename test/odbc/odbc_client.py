#!/usr/bin/python3
"""An ODBC client of the Power BI model, through psqlODBC and unixODBC (the
driver Excel and generic BI tools use), for test/integration/odbc_client.sh.

    odbc_client.py CONN catalog TYPES [DSN-OPTIONS]
        Lists the crm_bi views (SQLTables) and their columns (SQLColumns), and
        the columns of each view's result set (SQLDescribeCol, what a query
        returns). TYPES is psql's list "view<TAB>column<TAB>format_type" of the
        same columns. Every column must map to the concrete ODBC type its
        PostgreSQL type should give; one line per mismatch, then
        "checked N columns of M views". DSN-OPTIONS (e.g. "BoolsAsChar=0")
        are added to the connection string.
    odbc_client.py CONN control
        The checker on a query whose columns are text and unbounded numeric
        (what the views avoid): it must find both unfit.
    odbc_client.py CONN query FILE
        Runs the query of FILE and prints its rows as psql -At -F'\\t' does.
    odbc_client.py CONN denied SQL
        Runs SQL, which must fail with SQLSTATE 42501; prints the SQLSTATE.

CONN is "socket_dir:port:database:user"; the driver is the odbcinst name
Debian's odbc-postgresql registers, "PostgreSQL Unicode", with its defaults.
Needs python3-pyodbc (Debian's /usr/bin/python3).
"""
import datetime
import decimal
import re
import sys

import pyodbc

# ODBC SQL type codes (sql.h, sqlext.h, sqlucode.h).
SQL_BIGINT, SQL_INTEGER, SQL_NUMERIC, SQL_FLOAT, SQL_DOUBLE = -5, 4, 2, 6, 8
SQL_TYPE_DATE, SQL_TYPE_TIMESTAMP, SQL_BIT, SQL_VARCHAR, SQL_WVARCHAR = 91, 93, -7, 12, -9
NAMES = {SQL_BIGINT: "SQL_BIGINT", SQL_INTEGER: "SQL_INTEGER", SQL_NUMERIC: "SQL_NUMERIC", SQL_FLOAT: "SQL_FLOAT",
         SQL_DOUBLE: "SQL_DOUBLE", SQL_TYPE_DATE: "SQL_TYPE_DATE", SQL_TYPE_TIMESTAMP: "SQL_TYPE_TIMESTAMP",
         SQL_BIT: "SQL_BIT", SQL_VARCHAR: "SQL_VARCHAR", SQL_WVARCHAR: "SQL_WVARCHAR", -1: "SQL_LONGVARCHAR",
         -10: "SQL_WLONGVARCHAR", 3: "SQL_DECIMAL", 1: "SQL_CHAR", -8: "SQL_WCHAR"}
VARCHAR_MAX = 255  # psqlODBC's MaxVarcharSize: a longer varchar is described as a long varchar (a memo)


def connect(conn, options=""):
    socket_dir, port, database, user = conn.split(":")
    return pyodbc.connect(f"Driver={{PostgreSQL Unicode}};Servername={socket_dir};Port={port};Database={database};"
                          f"Username={user};{options}", autocommit=True)


def expected(pg_type, bools_as_char):
    """(SQL type codes accepted, column size, decimal digits, Python type) for a PostgreSQL type; None when the type
    has no concrete ODBC type with the driver's defaults (text, unbounded numeric, jsonb...)."""
    m = re.fullmatch(r"numeric\((\d+),(\d+)\)", pg_type)
    if m:
        return {SQL_NUMERIC}, int(m[1]), int(m[2]), decimal.Decimal
    m = re.fullmatch(r"character varying\((\d+)\)", pg_type)
    if m and int(m[1]) <= VARCHAR_MAX:
        return {SQL_WVARCHAR}, int(m[1]), None, str
    fixed = {"bigint": ({SQL_BIGINT}, 19, 0, int), "integer": ({SQL_INTEGER}, 10, 0, int),
             # psqlODBC says SQL_FLOAT, which ODBC defines as a double (SQL_C_DOUBLE).
             "double precision": ({SQL_FLOAT, SQL_DOUBLE}, 17, 0, float),
             "date": ({SQL_TYPE_DATE}, 10, None, datetime.date),
             "timestamp(0) without time zone": ({SQL_TYPE_TIMESTAMP}, 19, 0, datetime.datetime),
             # BoolsAsChar=1, the default: a boolean arrives as the text '1' or '0'.
             "boolean": ({SQL_VARCHAR}, 5, 0, str) if bools_as_char else ({SQL_BIT}, 1, 0, bool)}
    return fixed.get(pg_type)


def describe(cursor, sql):
    cursor.execute(sql)
    return {d[0]: (d[1], d[3], d[4], d[5]) for d in cursor.description}  # type, internal size, precision, scale


def check_column(where, pg_type, catalog, result, bools_as_char):
    """Mismatches of one column: its SQLColumns row (or None) and its SQLDescribeCol entry."""
    want = expected(pg_type, bools_as_char)
    if want is None:
        return [f"{where}: {pg_type} has no concrete ODBC type"]
    codes, size, digits, pytype = want
    bad = []
    if catalog is not None:
        got = (catalog.data_type, catalog.column_size, catalog.decimal_digits)
        if got[0] not in codes or got[1] != size or (digits is not None and got[2] != digits):
            bad.append(f"{where}: SQLColumns {NAMES.get(got[0], got[0])}({got[1]},{got[2]}), "
                       f"expected {'/'.join(NAMES[c] for c in sorted(codes))}({size},{digits}) for {pg_type}")
    rtype, rsize, rprecision, rscale = result
    if rtype is not pytype or rsize != size or (pytype is decimal.Decimal and (rprecision, rscale) != (size, digits)):
        bad.append(f"{where}: SQLDescribeCol {rtype.__name__} size {rsize} precision {rprecision} scale {rscale}, "
                   f"expected {pytype.__name__} size {size} for {pg_type}")
    return bad


def catalog(conn, types_file, options):
    bools_as_char = "boolsaschar=0" not in options.lower()
    pg = {}
    for line in open(types_file, encoding="utf-8"):
        view, column, pg_type = line.rstrip("\n").split("\t")
        pg.setdefault(view, {})[column] = pg_type
    cursor = connect(conn, options).cursor()
    views = sorted(t.table_name for t in cursor.tables(schema="crm_bi", tableType="VIEW").fetchall())
    bad = []
    if views != sorted(pg):
        bad.append(f"SQLTables lists {views}, psql {sorted(pg)}")
    checked = 0
    for view in views:
        columns = {c.column_name: c for c in cursor.columns(schema="crm_bi", table=view).fetchall()}
        result = describe(cursor, f'select * from "crm_bi"."{view}" where 1 = 0')
        if list(columns) != list(pg.get(view, {})) or list(result) != list(columns):
            bad.append(f"{view}: SQLColumns {list(columns)}, SQLDescribeCol {list(result)}, psql {list(pg.get(view, {}))}")
            continue
        for name, pg_type in pg[view].items():
            bad += check_column(f"{view}.{name}", pg_type, columns[name], result[name], bools_as_char)
            checked += 1
    for line in bad:
        print(line)
    print(f"checked {checked} columns of {len(views)} views")
    return 1 if bad else 0


def control(conn):
    cursor = connect(conn).cursor()
    result = describe(cursor, "select 'x'::text as label, 1.5::numeric as amount")
    # Claimed as the views' types: the driver's description of text and of an
    # unbounded numeric must not pass for them.
    bad = check_column("control.label", "character varying(255)", None, result["label"], True) \
        + check_column("control.amount", "numeric(14,2)", None, result["amount"], True)
    for line in bad:
        print(line)
    return 0 if len(bad) == 2 else 1


def text(value):
    """A value as psql -A prints it."""
    if value is None:
        return ""
    if isinstance(value, float):
        s = repr(value)
        return s[:-2] if s.endswith(".0") else s
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def query(conn, path):
    cursor = connect(conn).cursor()
    cursor.execute(open(path, encoding="utf-8").read())
    for row in cursor.fetchall():
        print("\t".join(text(v) for v in row))
    return 0


def denied(conn, sql):
    try:
        connect(conn).cursor().execute(sql)
    except pyodbc.Error as e:
        print(e.args[0])
        return 0 if e.args[0] == "42501" else 1
    print("allowed")
    return 1


def main(argv):
    conn, command, *args = argv
    if command == "catalog":
        return catalog(conn, args[0], args[1] if len(args) > 1 else "")
    if command == "control":
        return control(conn)
    if command == "query":
        return query(conn, args[0])
    if command == "denied":
        return denied(conn, args[0])
    raise SystemExit(f"odbc_client: unknown command {command}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
