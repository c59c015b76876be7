"""Runs Hive statement files in Spark SQL with Hive support, then one query, and prints its rows.

Usage: python spark-hive-sql.py QUERY FILE...

Spark runs in local mode (on 127.0.0.1 only; set SPARK_LOCAL_IP=127.0.0.1 too) with an embedded
Derby metastore and its warehouse in the current directory (the caller gives each run a fresh
one). `STORED AS AVRO` tables are read by Hive's AvroSerDe, which pyspark's jars include. Each FILE holds statements ending in `;` (the
sink's `_hive/<table>.ddl` and partition `.hql` files); they run in the order given. Progress goes
to stderr; the query's rows go to stdout as one JSON object per line.
"""
import json
import os
import sys
import time


def log(message):
    print(f"[spark-hive-sql] {message}", file=sys.stderr, flush=True)


def statements(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    # The sink's statements end with ';' at the end of a line; a literal ';' inside the Avro
    # schema literal never does, since the schema is one line.
    parts, current = [], []
    for line in text.splitlines():
        current.append(line)
        if line.rstrip().endswith(";"):
            parts.append("\n".join(current).rstrip().rstrip(";"))
            current = []
    if "".join(current).strip():
        parts.append("\n".join(current))
    return parts


def main():
    query, files = sys.argv[1], sys.argv[2:]
    started = time.time()
    from pyspark.sql import SparkSession

    here = os.getcwd()
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("squall-hive-ddl")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        # Loopback only: the driver listens on nothing else.
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.warehouse.dir", os.path.join(here, "warehouse"))
        .config("spark.hadoop.javax.jdo.option.ConnectionURL", f"jdbc:derby:;databaseName={os.path.join(here, 'metastore_db')};create=true")
        .enableHiveSupport()
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    log(f"Spark {spark.version} with Hive support up in {time.time() - started:.1f}s")
    count = 0
    for path in files:
        for statement in statements(path):
            try:
                spark.sql(statement)
            except Exception as error:  # Spark's AnalysisException and friends: say which statement
                first_line = statement.strip().splitlines()[0]
                log(f"FAILED in {os.path.basename(path)}: {first_line}: {str(error).splitlines()[0]}")
                sys.exit(1)
            count += 1
    log(f"ran {count} statements from {len(files)} files")
    t = time.time()
    try:
        rows = spark.sql(query).collect()
    except Exception as error:
        log(f"FAILED in the query: {str(error).splitlines()[0]}")
        sys.exit(1)
    for row in rows:
        print(json.dumps(row.asDict()), flush=True)
    log(f"query done in {time.time() - t:.1f}s")
    spark.stop()


if __name__ == "__main__":
    main()
