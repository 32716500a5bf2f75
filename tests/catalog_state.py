"""What a catalog holds, as plain comparable data (for idempotency and round-trip tests)."""

from __future__ import annotations

from sqlalchemy import text

from data.db import Database

QUERIES = {
    "models": """SELECT repo_id, author, pipeline_tag, library_name, license, tags, downloads, likes,
                        created_at, last_modified, gated, card_data::text, has_base_model,
                        derivative_count FROM models ORDER BY repo_id""",
    "tags": """SELECT m.repo_id, t.tag, t.tag_type FROM model_tags t JOIN models m ON m.id = t.model_id
               ORDER BY 1, 2""",
    "relations": """SELECT m.repo_id, r.base_model_id, p.repo_id, r.relation_type, r.declared, r.source
                    FROM base_model_relations r JOIN models m ON m.id = r.model_id
                    LEFT JOIN models p ON p.id = r.base_model_ref ORDER BY 1, 2""",
    "datasets": """SELECT m.repo_id, d.dataset_id, d.source FROM dataset_relations d
                   JOIN models m ON m.id = d.model_id ORDER BY 1, 2""",
    "files": """SELECT m.repo_id, f.rfilename, f.size FROM model_siblings f
                JOIN models m ON m.id = f.model_id ORDER BY 1, 2""",
}


def catalog_state(db: Database) -> dict[str, list[tuple]]:
    with db.session(read_only=True) as session:
        return {name: [tuple(row) for row in session.execute(text(sql))] for name, sql in QUERIES.items()}


def counts(db: Database) -> dict[str, int]:
    return {name: len(rows) for name, rows in catalog_state(db).items()}


def model(db: Database, repo_id: str) -> dict:
    with db.session(read_only=True) as session:
        row = session.execute(text("SELECT * FROM models WHERE repo_id = :id"), {"id": repo_id})
        return dict(row.mappings().one())


CONSISTENCY_CHECKS = {
    "has_base_model disagrees with the edges": """
        SELECT count(*) FROM models m
        WHERE m.has_base_model <> EXISTS (SELECT 1 FROM base_model_relations r WHERE r.model_id = m.id)""",
    "derivative_count disagrees with the edges": """
        SELECT count(*) FROM models m
        WHERE m.derivative_count <> (SELECT count(*) FROM base_model_relations r WHERE r.base_model_ref = m.id)""",
    "edges not linked to a base that is in the catalog": """
        SELECT count(*) FROM base_model_relations r JOIN models p ON lower(p.repo_id) = lower(r.base_model_id)
        WHERE r.base_model_ref IS DISTINCT FROM p.id""",
    "models without their tags": """
        SELECT count(*) FROM models m
        WHERE cardinality(m.tags) > 0 AND NOT EXISTS (SELECT 1 FROM model_tags t WHERE t.model_id = m.id)""",
}


def consistency_problems(db: Database) -> dict[str, int]:
    with db.session(read_only=True) as session:
        found = {name: session.execute(text(sql)).scalar_one() for name, sql in CONSISTENCY_CHECKS.items()}
    return {name: count for name, count in found.items() if count}
