"""The cluster DDL rendered from the migrations, and the cluster's compose and node files.

No ClickHouse cluster runs here: the rendered statements are checked for shape, parsed
by ClickHouse itself (``EXPLAIN AST`` on the test engine), and the compose and XML files
are checked against each other.
"""

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from clickhouse import Store, StoreError
from clickhouse.cluster import (
    SHARDING_KEYS,
    bootstrap_statements,
    cluster_statements,
    parse_table,
    sharded_table,
)
from clickhouse.migrate import migrate
from clickhouse.sql import migration_files, query_text, statements
from tests.helpers import PINNED_IMAGE, ROOT, assert_settings_exist, load_compose

CLUSTER = "prod"
DATABASE = "incidents"
NODES = {"ch-s1-r1": (1, 1), "ch-s1-r2": (1, 2), "ch-s2-r1": (2, 1), "ch-s2-r2": (2, 2)}
_DISTRIBUTED = re.compile(
    r"CREATE TABLE IF NOT EXISTS (\w+) ON CLUSTER 'prod' AS (\w+)\n"
    r"ENGINE = Distributed\('prod', 'incidents', '(\w+)', (.+)\)"
)


def single_node_tables() -> dict[str, str]:
    """Every table the migrations create, by name, with its single-node statement."""
    return {
        parse_table(statement).name: statement
        for _, text in migration_files()
        for statement in statements(text)
        if statement.startswith("CREATE TABLE")
    }


def rendered() -> list[str]:
    return [
        statement
        for _, text in migration_files()
        for statement in cluster_statements(text, CLUSTER, DATABASE)
    ]


def key_columns(expression: str) -> set[str]:
    return set(re.findall(r"\w+", expression.split("(", 1)[1]))


def test_every_table_has_a_replicated_local_and_a_distributed_counterpart() -> None:
    tables = single_node_tables()
    assert set(tables) == set(SHARDING_KEYS)
    locals_ = {}
    distributed = {}
    for statement in rendered():
        if statement.startswith("ALTER TABLE"):
            continue
        match = _DISTRIBUTED.fullmatch(statement)
        if match:
            name, as_table, target, key = match.groups()
            assert as_table == target == f"{name}_local"
            distributed[name] = key
        else:
            local = parse_table(statement.replace(f" ON CLUSTER '{CLUSTER}'", "", 1))
            assert f"ON CLUSTER '{CLUSTER}'" in statement
            locals_[local.name] = local
    assert set(distributed) == set(tables)
    assert set(locals_) == {f"{name}_local" for name in tables}
    for name, statement in tables.items():
        single = parse_table(statement)
        local = locals_[f"{name}_local"]
        assert local.engine == f"Replicated{single.engine}"
        path = f"'/clickhouse/tables/{{shard}}/{{database}}/{name}_local', '{{replica}}'"
        assert local.args == ", ".join(filter(None, [path, single.args]))
        # Same columns, indexes, keys and settings: only the engine and name change.
        assert (local.columns, local.rest) == (single.columns, single.rest)
        assert distributed[name] == SHARDING_KEYS[name]


def test_replacing_engines_keep_their_version_and_delete_columns() -> None:
    (local, _) = sharded_table(single_node_tables()["incidents"], CLUSTER, DATABASE)
    assert "ENGINE = ReplicatedReplacingMergeTree(" in local
    assert local.count("'{replica}', version, is_deleted)") == 1
    (events, _) = sharded_table(single_node_tables()["incident_events"], CLUSTER, DATABASE)
    assert "ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/" in events


def test_every_version_of_a_row_lands_on_one_shard() -> None:
    """FINAL collapses rows with equal sorting keys; it is right on each shard only if such
    rows share a shard, i.e. the sharding key's columns are among the sorting key's. Notes
    shard by their incident instead, which never changes between a note's versions."""
    assert SHARDING_KEYS["incidents"] == "cityHash64(org_id, id)"
    assert SHARDING_KEYS["scan_reports"] == "cityHash64(org_id, source)"
    for name, statement in single_node_tables().items():
        order_by = re.search(r"ORDER BY \(([^)]*)\)", statement)
        assert order_by is not None
        sorting = {column.strip() for column in order_by.group(1).split(",")}
        if name == "incident_notes":
            assert key_columns(SHARDING_KEYS[name]) == {"org_id", "incident_id"}
        else:
            assert key_columns(SHARDING_KEYS[name]) <= sorting, name
    # The tables the queries join with IN (SELECT ...) share one key, so each shard's
    # local tables hold every match (distributed_product_mode = 'local').
    joined = {"incidents", "incident_keys", "incident_acks", "incident_events"}
    assert len({SHARDING_KEYS[name] for name in joined}) == 1


def test_the_migrations_record_is_one_copy_on_every_node() -> None:
    create = query_text("schema_migrations_create")
    database, table = bootstrap_statements(create, CLUSTER, DATABASE)
    assert database == "CREATE DATABASE IF NOT EXISTS `incidents` ON CLUSTER 'prod'"
    assert table.startswith("CREATE TABLE IF NOT EXISTS schema_migrations ON CLUSTER 'prod'")
    assert "ReplicatedReplacingMergeTree('/clickhouse/tables/all/{database}/" in table
    assert "{shard}" not in table


@pytest.mark.parametrize(
    ("cluster", "database"), [("a'b", DATABASE), ("", DATABASE), (CLUSTER, "x`y"), (CLUSTER, "")]
)
def test_only_plain_names_are_rendered(cluster: str, database: str) -> None:
    with pytest.raises(ValueError, match="not a"):
        sharded_table(single_node_tables()["incidents"], cluster, database)


def test_the_cluster_macro_may_name_the_cluster() -> None:
    (local, distributed) = sharded_table(single_node_tables()["incidents"], "{cluster}", DATABASE)
    assert "ON CLUSTER '{cluster}'" in local
    assert "Distributed('{cluster}'" in distributed


def test_an_added_column_goes_to_the_local_and_the_distributed_table() -> None:
    local, distributed = cluster_statements(
        "ALTER TABLE incidents ADD COLUMN x UInt8 DEFAULT 1\nAFTER id;", CLUSTER, DATABASE
    )
    assert (
        local
        == "ALTER TABLE incidents_local ON CLUSTER 'prod' ADD COLUMN x UInt8 DEFAULT 1\nAFTER id"
    )
    assert (
        distributed
        == "ALTER TABLE incidents ON CLUSTER 'prod' ADD COLUMN x UInt8 DEFAULT 1\nAFTER id"
    )


def test_statements_without_a_rendering_are_refused() -> None:
    for statement in (
        "ALTER TABLE incidents DROP COLUMN x;",
        "ALTER TABLE other ADD COLUMN x UInt8;",
    ):
        with pytest.raises(ValueError, match="no cluster rendering"):
            cluster_statements(statement, CLUSTER, DATABASE)
    unknown = single_node_tables()["incidents"].replace("EXISTS incidents", "EXISTS other")
    with pytest.raises(ValueError, match="no sharding key"):
        sharded_table(unknown, CLUSTER, DATABASE)


@pytest.mark.integration
def test_clickhouse_parses_every_rendered_statement(store: Store) -> None:
    create = query_text("schema_migrations_create")
    for number, statement in enumerate(
        [*bootstrap_statements(create, CLUSTER, DATABASE), *rendered()]
    ):
        store.statement(f"parse_{number}", f"EXPLAIN AST {statement}")
    with pytest.raises(StoreError):
        store.statement("parse_broken", "EXPLAIN AST CREATE TABLE x ON CLUSTER ENGINE = (")


@pytest.mark.integration
def test_migrate_takes_the_cluster_path_when_a_cluster_is_set(store: Store) -> None:
    """The embedded engine has no cluster, so the first ON CLUSTER statement fails: that
    it is the one that runs shows the rendered DDL is what a cluster would get."""
    clustered = Store(replace(store.config, cluster=CLUSTER))
    try:
        with pytest.raises(StoreError) as failure:
            migrate(clustered)
    finally:
        clustered.close()
    assert failure.value.operation == "cluster_bootstrap_0"


def xml(path: Path) -> ET.Element:
    return ET.parse(path).getroot()


def test_the_cluster_compose_runs_two_shards_of_two_replicas_and_keeper() -> None:
    compose = load_compose("docker-compose.cluster.yml")
    services = compose["services"]
    assert set(services) == {*NODES, "keeper", "incidents"}
    assert services["keeper"]["image"].startswith("clickhouse/clickhouse-keeper:")
    for node in NODES:
        service = services[node]
        assert PINNED_IMAGE.fullmatch(service["image"])
        assert service["hostname"] == node
        mounts = {m.split(":")[0]: m.split(":")[1] for m in service["volumes"]}
        assert mounts[f"./deploy/clickhouse/macros/{node}.xml"].startswith(
            "/etc/clickhouse-server/config.d/"
        )
        assert mounts["./deploy/clickhouse/cluster.xml"].startswith(
            "/etc/clickhouse-server/config.d/"
        )
        assert mounts["./deploy/clickhouse/users.xml"].startswith("/etc/clickhouse-server/users.d/")
        assert mounts[f"{node}-data"] == "/var/lib/clickhouse"
        assert f"{node}-data" in compose["volumes"]
        assert "8123/ping" in " ".join(service["healthcheck"]["test"])
    app = services["incidents"]
    assert_settings_exist(app["environment"])
    cluster = app["environment"]["INCIDENTS_CLUSTER"]
    assert app["depends_on"] == {node: {"condition": "service_healthy"} for node in NODES}
    assert app["ports"] == ["8080:8080"]
    remote = xml(ROOT / "deploy/clickhouse/cluster.xml")
    (servers,) = remote.findall(f"remote_servers/{cluster}")
    shards = [
        [replica.findtext("host") for replica in shard.findall("replica")]
        for shard in servers.findall("shard")
    ]
    assert shards == [["ch-s1-r1", "ch-s1-r2"], ["ch-s2-r1", "ch-s2-r2"]]
    assert all(s.findtext("internal_replication") == "true" for s in servers.findall("shard"))
    assert remote.findtext("zookeeper/node/host") == "keeper"
    keeper = xml(ROOT / "deploy/clickhouse/keeper.xml")
    assert remote.findtext("zookeeper/node/port") == keeper.findtext("keeper_server/tcp_port")


def test_each_node_knows_its_shard_and_a_cluster_wide_unique_replica() -> None:
    replicas = set()
    for node, (shard, replica) in NODES.items():
        macros = xml(ROOT / f"deploy/clickhouse/macros/{node}.xml").find("macros")
        assert macros is not None
        assert macros.findtext("shard") == str(shard)
        assert macros.findtext("cluster") == "incidents"
        replicas.add(macros.findtext("replica"))
        assert f"s{shard}-r{replica}" in (macros.findtext("replica") or "")
    assert len(replicas) == len(NODES)


def test_the_profile_sets_what_the_queries_rely_on() -> None:
    profile = xml(ROOT / "deploy/clickhouse/users.xml").find("profiles/default")
    assert profile is not None
    assert profile.findtext("distributed_product_mode") == "local"
    assert profile.findtext("distributed_foreground_insert") == "1"
    assert profile.findtext("insert_quorum") == "2"
