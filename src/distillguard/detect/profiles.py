"""Account profiles: per-account aggregates of the event features, in SQL.

One query over the workspace's ``events`` table. It is plain SQL over columns, so the
same text runs in DuckDB and (with the dialect differences isolated here) in Spark SQL.
Every later stage works on these rows, one per account, never on events.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from distillguard.config import Config
from distillguard.detect.rules import TARGET_CAPABILITIES

#: Per-account profile. ``{very_long}`` is ``scoring.signal_params.very_long_max_tokens``,
#: ``{long_output}`` ``scoring.signal_params.long_output_tokens``,
#: ``{targets}`` the targeted capabilities (``rules.TARGET_CAPABILITIES``).
PROFILE_SQL = """
WITH e AS NOT MATERIALIZED (
    -- Inlined, not materialised: a copy of every event (prompts included) would spill.
    SELECT *, epoch(timestamp) AS ts FROM {source}
),
slices AS (
    -- One pass over the low-cardinality columns: the capability, organisation,
    -- access-path and country counts and the models' first requests below are sums and
    -- minima of these rows, not more passes over the events.
    SELECT account_id, model, capability, org_id, access_path, country,
           count(*) AS c, min(ts) AS first_ts
    FROM e GROUP BY ALL
),
gaps AS (
    -- Events at the same instant may come in any order: the gaps are the same.
    SELECT account_id, ts - lag(ts) OVER (PARTITION BY account_id ORDER BY ts) AS gap
    FROM e
),
gap_stats AS (
    SELECT account_id, avg(gap) AS gap_mean, stddev_pop(gap) AS gap_sd,
           quantile_cont(gap, 0.5) AS gap_median
    FROM gaps WHERE gap IS NOT NULL GROUP BY account_id
),
minute_counts AS (
    SELECT account_id, floor(ts / 60) AS minute, count(*) AS c FROM e GROUP BY ALL
),
burst_stats AS (
    SELECT account_id, max(c) AS max_per_minute FROM minute_counts GROUP BY account_id
),
minute_hours AS (
    -- The hour of day once per minute of the traffic, not per event (hour() in a time
    -- zone costs): every zone's offset is whole minutes (since 1972), so all of a
    -- minute's events have the hour of its start.
    SELECT minute, hour(to_timestamp(minute * 60)) AS h
    FROM (SELECT DISTINCT minute FROM minute_counts)
),
hour_counts AS (
    SELECT account_id, h, CAST(sum(c) AS BIGINT) AS c
    FROM minute_counts JOIN minute_hours USING (minute) GROUP BY ALL
),
hour_entropy AS (
    SELECT account_id, -sum(p * ln(p)) / ln(24) AS hour_entropy
    FROM (SELECT account_id, c / sum(c) OVER (PARTITION BY account_id) AS p FROM hour_counts)
    GROUP BY account_id
),
block_counts AS (
    -- Requests per address block (IPv4 /8, IPv6 /32; an event stored before blocks were
    -- derived counts its network).
    SELECT account_id, coalesce(ip_block, ip_prefix) AS block, count(*) AS c
    FROM e WHERE ip_prefix IS NOT NULL GROUP BY ALL
),
block_spread AS (
    -- The effective number of blocks the requests come from (the exponential of their
    -- entropy): a CI pool and a home keep most requests in one or two of them, a
    -- residential proxy pool spreads them evenly over many ISPs'.
    SELECT account_id, exp(-sum(p * ln(p))) AS block_spread
    FROM (SELECT account_id, c / sum(c) OVER (PARTITION BY account_id) AS p FROM block_counts)
    GROUP BY account_id
),
template_counts AS (
    SELECT account_id, skeleton, count(*) AS c
    FROM e WHERE skeleton IS NOT NULL GROUP BY ALL
),
template_stats AS (
    SELECT account_id, max(c) AS top_template_count, count(*) AS distinct_templates
    FROM template_counts GROUP BY account_id
),
capability_counts AS (
    SELECT account_id, capability, CAST(sum(c) AS BIGINT) AS c
    FROM slices WHERE capability IS NOT NULL GROUP BY ALL
),
capability_stats AS (
    -- Ties broken by name, so every engine picks the same area.
    SELECT account_id, arg_max(capability, row(c, capability)) AS top_capability,
           max(c) AS top_capability_count,
           count(*) FILTER (WHERE capability <> 'general') AS capabilities_used,
           sum(c) FILTER (WHERE capability IN ({targets}))
               AS target_capability_count_raw
    FROM capability_counts GROUP BY account_id
),
releases AS (
    -- A model's release is its first request in the traffic; the newest one matters.
    SELECT model, min(first_ts) AS released FROM slices WHERE model IS NOT NULL GROUP BY model
),
newest AS (
    SELECT model, released FROM releases
    WHERE released > (SELECT min(first_ts) FROM slices) ORDER BY released DESC, model LIMIT 1
),
pivot_stats AS (
    SELECT s.account_id, (min(s.first_ts) - any_value(n.released)) / 3600.0 AS new_model_hours
    FROM slices s JOIN newest n ON s.model = n.model GROUP BY s.account_id
),
base AS (
    SELECT
        account_id,
        count(*) AS events,
        -- Minima and maxima of the microseconds: DuckDB's min() of a TIMESTAMPTZ costs
        -- several times more per event.
        make_timestamptz(min(epoch_us(timestamp))) AS first_seen,
        make_timestamptz(max(epoch_us(timestamp))) AS last_seen,
        count(prompt) AS prompts,
        coalesce(sum(prompt_tokens), 0) AS prompt_tokens,
        coalesce(sum(completion_tokens), 0) AS completion_tokens,
        avg(prompt_chars) AS mean_prompt_chars,
        avg(CAST(cot AS DOUBLE)) AS cot_share,
        avg(CAST(rubric AS DOUBLE)) AS rubric_share,
        avg(CAST(long_output AS DOUBLE)) AS long_max_tokens_share,
        avg(CAST(max_tokens >= {very_long} AS DOUBLE)) AS very_long_max_tokens_share,
        avg(completion_tokens) AS mean_completion_tokens,
        -- The harvest: answers long enough to train on (reasoning, code, agent traces).
        avg(CAST(completion_tokens >= {long_output} AS DOUBLE)) AS long_output_share,
        coalesce(sum(completion_tokens) FILTER (WHERE completion_tokens >= {long_output}), 0)
            AS harvest_tokens,
        avg(CAST(temperature = 0 AS DOUBLE)) AS zero_temperature_share,
        -- On the text, not a 64-bit hash: crafted colliding prompts would otherwise
        -- count as repeats (a signal that lowers risk). ~5% of this query's time.
        count(DISTINCT prompt) AS distinct_prompts,
        avg(CAST(n > 1 AS DOUBLE)) AS multi_n_share,
        avg(CAST(logprobs AS DOUBLE)) AS logprobs_share,
        avg(CAST(tool_count > 0 AS DOUBLE)) AS tool_share,
        avg(CAST(turn > 0 AS DOUBLE)) AS followup_share,
        count(DISTINCT temperature) AS distinct_temperatures,
        avg(temperature) AS mean_temperature,
        count(DISTINCT model) AS models,
        count(DISTINCT ip) AS distinct_ips,
        count(DISTINCT ip_prefix) AS distinct_networks,
        -- Address blocks (IPv4 /8, IPv6 /32, derived at ingest): a cloud or CI pool sits in
        -- a few of its provider's blocks, a residential proxy pool spans many ISPs'. An
        -- event stored before blocks were derived counts its network as its block.
        count(DISTINCT coalesce(ip_block, ip_prefix)) AS distinct_blocks,
        count(DISTINCT user_agent) AS distinct_user_agents,
        min(email_domain) AS email_domain,
        count(DISTINCT conversation_id) AS conversations,
        make_timestamptz(min(epoch_us(account_created_at))) AS account_created_at
    FROM e GROUP BY account_id
),
org_modes AS (
    -- The most frequent value, ties broken by the value (DuckDB's and Spark's mode()
    -- break them differently, and mode() holds a map per account: 2x slower here).
    SELECT account_id, arg_max(org_id, row(c, org_id)) AS org_id FROM (
        SELECT account_id, org_id, sum(c) AS c FROM slices
        WHERE org_id IS NOT NULL GROUP BY ALL
    ) GROUP BY account_id
),
access_path_modes AS (
    SELECT account_id, arg_max(access_path, row(c, access_path)) AS access_path FROM (
        SELECT account_id, access_path, sum(c) AS c FROM slices
        WHERE access_path IS NOT NULL GROUP BY ALL
    ) GROUP BY account_id
),
country_modes AS (
    -- Where the account is: the country most of its requests come from.
    SELECT account_id, arg_max(country, row(c, country)) AS country FROM (
        SELECT account_id, country, sum(c) AS c FROM slices
        WHERE country IS NOT NULL GROUP BY ALL
    ) GROUP BY account_id
)
SELECT
    b.*,
    om.org_id,
    am.access_path,
    cm.country,
    (epoch(b.last_seen) - epoch(b.first_seen)) / 3600.0 AS active_span_hours,
    (epoch(b.first_seen) - epoch(b.account_created_at)) / 3600.0 AS account_age_hours,
    CASE WHEN b.prompts > 0 THEN 1.0 - b.distinct_prompts / b.prompts END AS repeated_prompt_share,
    b.distinct_ips / b.events AS ip_churn,
    g.gap_mean, g.gap_median,
    CASE WHEN g.gap_mean > 0 THEN g.gap_sd / g.gap_mean END AS gap_cv,
    h.hour_entropy,
    k.block_spread,
    t.top_template_count, t.distinct_templates,
    CASE WHEN b.prompts > 0 THEN t.top_template_count / b.prompts END AS top_template_share,
    CASE WHEN b.prompts > 0 THEN 1.0 - t.distinct_templates / b.prompts END AS template_reuse,
    c.top_capability,
    CASE WHEN b.prompts > 0 THEN c.top_capability_count / b.prompts END AS top_capability_share,
    CASE WHEN b.prompts > 0
         THEN coalesce(c.target_capability_count_raw, 0) / b.prompts END AS target_capability_share,
    c.capabilities_used,
    m.max_per_minute,
    v.new_model_hours
FROM base b
LEFT JOIN gap_stats g USING (account_id)
LEFT JOIN hour_entropy h USING (account_id)
LEFT JOIN block_spread k USING (account_id)
LEFT JOIN template_stats t USING (account_id)
LEFT JOIN capability_stats c USING (account_id)
LEFT JOIN burst_stats m USING (account_id)
LEFT JOIN pivot_stats v USING (account_id)
LEFT JOIN org_modes om USING (account_id)
LEFT JOIN access_path_modes am USING (account_id)
LEFT JOIN country_modes cm USING (account_id)
ORDER BY account_id
"""


def build_profiles(
    con: duckdb.DuckDBPyConnection, config: Config, source: str = "events"
) -> pa.Table:
    """One row per account with the aggregates the signals read (see docs/signals.md)."""
    return con.execute(profile_sql(config, source)).to_arrow_table()


def profile_sql(config: Config, source: str = "events") -> str:
    """The profile query over ``source``, settings filled in (DuckDB dialect).

    The Spark engine translates this same text (``engines/sql_dialect.py``), so a column
    added to :data:`PROFILE_SQL` is computed by both engines.
    """
    very_long = int(config.scoring.signal_params["very_long_max_tokens"])
    long_output = int(config.scoring.signal_params["long_output_tokens"])
    targets = ", ".join(f"'{name}'" for name in TARGET_CAPABILITIES)
    return PROFILE_SQL.format(source=source, very_long=very_long, targets=targets,
                              long_output=long_output)
