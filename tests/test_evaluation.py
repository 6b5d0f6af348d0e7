"""The evaluation command: each scoring definition on hand-made cases, and the
real ``scraper eval`` run in a subprocess over a tiny eval dir built here."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from scraper.errors import NoArticle
from scraper.evaluation import floors
from scraper.evaluation.dataset import find_datasets
from scraper.evaluation.scoring import (
    Overlap,
    aggregate_body,
    authors_f1,
    body_overlap,
    day_correct,
    image_recall,
    minute_correct,
    normalise_text,
    normalise_url,
    parse_stamp,
    shingles,
    snippet_counts,
    split_authors,
    stamp_of,
    title_exact,
    token_f1,
)
from scraper.models import Article, Image

REPO = Path(__file__).parent.parent
ICT = timezone(timedelta(hours=7))

# ------------------------------------------------------------------- body


def test_body_overlap_is_normalised_per_page():
    overlap = body_overlap("a b c", "a b d")
    assert overlap == Overlap(tp=0.5, fp=0.25, fn=0.25)


def test_body_overlap_counts_repeated_tokens_as_a_multiset():
    # truth has "the" twice, the prediction once: one fn, not zero.
    overlap = body_overlap("the cat the dog", "the cat dog")
    assert overlap.tp == pytest.approx(3 / 4)
    assert overlap.fn == pytest.approx(1 / 4)
    assert overlap.fp == 0


def test_tokens_are_word_characters_so_punctuation_does_not_count():
    assert body_overlap("Hà Nội, 2024!", "Hà Nội 2024").tp == 1.0


def test_shingles_of_a_text_shorter_than_n_is_one_shingle_and_empty_is_none():
    assert shingles("one two", 4) == {"one two": 1}
    assert shingles("", 4) == {}
    assert sum(shingles("a b c d e", 4).values()) == 2


def test_aggregate_leaves_empty_predictions_out_of_precision_but_not_recall():
    perfect = body_overlap("a b", "a b")
    missed = body_overlap("c d", "")
    prf = aggregate_body([perfect, missed])
    assert prf.precision == 1.0
    assert prf.recall == 0.5
    assert prf.f1 == pytest.approx(2 * 0.5 / 1.5)


def test_four_gram_shingles_punish_wrong_order_where_words_do_not():
    truth, shuffled = "one two three four five", "five four three two one"
    assert body_overlap(truth, shuffled, 1).tp == 1.0
    assert body_overlap(truth, shuffled, 4).tp == 0.0


@given(st.text(), st.text())
def test_body_overlap_always_sums_to_one_or_zero(truth, prediction):
    overlap = body_overlap(truth, prediction, 4)
    total = overlap.tp + overlap.fp + overlap.fn
    assert total == pytest.approx(1.0) or total == 0.0
    assert body_overlap(truth, truth, 4).fp == body_overlap(truth, truth, 4).fn == 0


# --------------------------------------------------------------- snippets


def test_snippets_compare_with_whitespace_normalised():
    counts = snippet_counts("Mưa lớn  gây\nngập ở Hà Giang. Đọc thêm",
                            must=[" Mưa lớn gây ngập", "ở Hà   Giang"], must_not=["Đọc thêm", "Quảng cáo"])
    assert (counts.tp, counts.fn, counts.fp, counts.tn) == (2, 0, 1, 1)
    assert counts.f1 == pytest.approx(4 / 5)


def test_no_body_misses_every_wanted_snippet_and_finds_no_unwanted_one():
    counts = snippet_counts(None, must=["a", "b"], must_not=["c"])
    assert (counts.tp, counts.fn, counts.fp, counts.tn) == (0, 2, 0, 1)
    assert counts.f1 == 0.0


# ------------------------------------------------------------------ title


def test_title_normalisation_folds_quotes_dashes_entities_width_and_case():
    assert normalise_text("Hà Nội – “Lũ quét” &amp; ＡＩ") == "hà nội lũ quét ai"
    assert title_exact("It’s a ‘Test’ — Now", "it's a 'test' - now")
    assert normalise_text("Lũ | Hà Giang · 2024") == "lũ hà giang 2024"
    assert title_exact("Helikopter\u00adlandeplatz\u200b geplant", "Helikopterlandeplatz geplant")


@given(st.text())
def test_title_normalisation_is_idempotent(text):
    assert normalise_text(normalise_text(text)) == normalise_text(text)


def test_title_exact_needs_every_word_and_a_missing_title_is_wrong():
    assert not title_exact("Thanh tra vụ chặt cây", "Thanh tra vụ chặt cây - Tuổi Trẻ Online")
    assert not title_exact("Thanh tra", None)


def test_title_token_f1():
    assert token_f1("a b c d", "a b c d e f") == pytest.approx(2 * (4 / 6) * 1 / (4 / 6 + 1))
    assert token_f1("a b", None) == 0.0


# -------------------------------------------------------------- published


def test_day_is_compared_in_the_annotations_offset():
    truth = parse_stamp("2024-05-02T00:30:00+07:00")
    # the same instant written in UTC falls on the day before
    assert day_correct(truth, stamp_of(datetime(2024, 5, 1, 17, 30, tzinfo=timezone.utc)))
    assert not day_correct(truth, stamp_of(datetime(2024, 5, 1, 23, 0, tzinfo=ICT)))


def test_day_without_an_annotated_offset_uses_the_pages_own_calendar_day():
    truth = parse_stamp("2024-05-01")
    assert truth.has_time is False
    assert day_correct(truth, stamp_of(datetime(2024, 5, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))))
    assert not day_correct(truth, stamp_of("2024-05-02"))


def test_a_missing_date_is_wrong():
    assert not day_correct(parse_stamp("2024-05-01"), None)
    assert not minute_correct(parse_stamp("2024-05-01T10:00:00+00:00"), None)


def test_minute_is_the_same_instant_in_utc_to_the_minute():
    truth = parse_stamp("2015-03-23T08:06:00+07:00")
    assert minute_correct(truth, stamp_of(datetime(2015, 3, 23, 1, 6, 59, tzinfo=timezone.utc)))
    assert not minute_correct(truth, stamp_of(datetime(2015, 3, 23, 8, 6, tzinfo=timezone.utc)))
    assert not minute_correct(truth, stamp_of(datetime(2015, 3, 23, 8, 7, tzinfo=ICT)))


def test_a_bare_date_is_never_minute_correct():
    truth = parse_stamp("2015-03-23T00:00:00+07:00")
    assert not minute_correct(truth, stamp_of("2015-03-23"))


@pytest.mark.parametrize("text,expected", [
    ("2024-12-06T22:00:40.000Z", datetime(2024, 12, 6, 22, 0, 40, tzinfo=timezone.utc)),
    ("2021-11-01T10:52:50+0100", datetime(2021, 11, 1, 9, 52, 50, tzinfo=timezone.utc)),
    ("2017-11-03 03:01:00.000000", datetime(2017, 11, 3, 3, 1)),
])
def test_annotation_formats_parse(text, expected):
    assert parse_stamp(text).value == expected


def test_has_time_follows_the_annotation_flag_over_the_strings_shape():
    assert parse_stamp("2017-11-03 03:01:00", has_time=False).has_time is False
    assert parse_stamp("2017-11-03T03:01:00").has_time is True
    assert parse_stamp("not a date") is None


# ---------------------------------------------------------------- authors


def test_authors_split_on_and_after_dropping_by():
    assert split_authors(["By Ann Lee and Bob Tran"]) == {"ann lee", "bob tran"}
    assert authors_f1(["Ann Lee", "Bob Tran"], ["By Ann Lee and Bob Tran"]) == 1.0


@pytest.mark.parametrize("raw,names", [
    ("von Hans Müller und Eva Schmidt", {"hans müller", "eva schmidt"}),
    ("Par Jean Dupont et Marie Curie", {"jean dupont", "marie curie"}),
    ("por Ana Gómez | Luis Paz / Eva Ruiz & Jo Ho", {"ana gómez", "luis paz", "eva ruiz", "jo ho"}),
    ("Andrew Sandberg, Etienne Roux", {"andrew sandberg", "etienne roux"}),
    ("Xuân Long; Nguyễn Văn A.", {"xuân long", "nguyễn văn a"}),
])
def test_author_splitting_rules(raw, names):
    assert split_authors(raw) == names


def test_author_set_f1_partial():
    assert authors_f1(["Ann Lee", "Bob Tran"], ["Ann Lee", "Reuters"]) == pytest.approx(0.5)


def test_an_empty_annotation_means_no_author_is_right():
    assert authors_f1([], []) == 1.0
    assert authors_f1([], ["Tuổi Trẻ"]) == 0.0
    assert authors_f1(["Ann Lee"], []) == 0.0


# ----------------------------------------------------------------- images


def test_image_urls_are_resolved_and_normalised():
    base = "https://baohagiang.vn/news/1.html"
    assert normalise_url("/img/a%20b.jpg", base) == normalise_url("https://www.baohagiang.vn/img/a b.jpg")
    assert normalise_url("https://Example.com/dir/") == "https://example.com/dir"


def test_any_variant_of_an_annotated_image_is_a_hit_and_each_counts_once():
    truth = ["https://cdn.example.com/800/x.jpg", "https://cdn.example.com/800/y.jpg"]
    variants = [truth[:1] + ["https://cdn.example.com/400/x.jpg"], truth[1:]]
    predicted = ["//cdn.example.com/400/x.jpg", "https://cdn.example.com/400/x.jpg"]
    assert image_recall(truth, variants, predicted, "https://example.com/a") == 0.5
    assert image_recall([], [], predicted) is None


# ----------------------------------------------------------------- floors


def test_floors_are_raised_to_score_minus_margin_and_never_lowered():
    current = {"aeb": {"body_f1": 0.95, "body_shingle_f1": 0.99}}
    scores = {"aeb": {"body_f1": 0.9713, "body_shingle_f1": 0.9, "body_precision": 0.99},
              "vi": {"published_day": 1.0}}
    raised = floors.raise_floors(current, scores, margin=0.005)
    assert raised == {"aeb": {"body_f1": 0.966, "body_shingle_f1": 0.99}, "vi": {"published_day": 0.995}}


def test_floor_check_and_round_trip(tmp_path):
    path = tmp_path / "floors.toml"
    floors.write(path, {"fundus_testdata": {"title_exact": 0.8, "authors_f1": 0.5}})
    assert "# target 0.950" in path.read_text()
    loaded = floors.load(path)
    failures = floors.check(loaded, {"fundus_testdata": {"title_exact": 0.79, "authors_f1": 0.6}, "aeb": {}})
    assert [(f.metric, f.floor) for f in failures] == [("title_exact", 0.8)]


def test_pinned_floors_file_is_valid_and_gates_only_known_metrics():
    pinned = floors.load(floors.DEFAULT_FLOORS)
    assert pinned, "floors.toml must pin something"
    assert all(metric in floors.GATED for table in pinned.values() for metric in table)


# ------------------------------------------------- a tiny eval dir, end to end

PAGE_ONE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Lũ quét - Báo Hà Giang</title></head>
<body><nav><a href="/">Trang chủ</a></nav>
<h1>Lũ quét ở Hà Giang</h1><time datetime="2024-05-01T08:30:00+07:00">08:30 01/05/2024</time>
<p class="byline">By Ann Lee and Bob Tran</p>
<p>BHG - Mưa lớn kéo dài gây lũ quét tại huyện Đồng Văn.</p>
<p>Nhiều hộ dân đã được sơ tán an toàn.</p>
<img src="/uploads/lu-quet.jpg" alt="">
</body></html>"""

PAGE_TWO = """<!doctype html><html><head><meta charset="windows-1252"><title>Café owners protest</title></head>
<body><h1>Café owners protest</h1>
<p>Owners of the café protested on Monday.</p>
<p>Subscribe now</p>
<img src="https://cdn.example.com/img/400/x.jpg">
</body></html>"""

TRUTH_ONE = {
    "url": "https://www.example.vn/news/1.html", "title": "Lũ quét ở Hà Giang",
    "authors": ["Ann Lee", "Bob Tran"], "published": "2024-05-01T01:30:00+00:00", "published_has_time": True,
    "body": "BHG - Mưa lớn kéo dài gây lũ quét tại huyện Đồng Văn.\n\nNhiều hộ dân đã được sơ tán an toàn.",
    "images": ["https://example.vn/uploads/lu-quet.jpg"], "images_variants": [["https://example.vn/uploads/lu-quet.jpg"]],
}
TRUTH_TWO = {
    "url": "https://example.com/cafe", "title": "Café owners protest", "authors": [],
    "published": "2024-05-06", "published_has_time": False,
    "body": "Owners of the café protested on Monday.",
    "images": ["https://cdn.example.com/img/800/x.jpg"],
    "images_variants": [["https://cdn.example.com/img/800/x.jpg", "https://cdn.example.com/img/400/x.jpg"]],
}


def standin_extract(html: str, url: str) -> Article:
    """A trivial extractor for testing the evaluator: h1, time[datetime],
    .byline, every other <p>, every <img>. Raises NoArticle without an h1."""
    tree = LexborHTMLParser(html)
    h1 = tree.css_first("h1")
    if h1 is None:
        raise NoArticle("no h1")
    time_node = tree.css_first("time[datetime]")
    byline = tree.css_first(".byline")
    return Article(
        title=h1.text(),
        published_at=datetime.fromisoformat(time_node.attributes["datetime"]) if time_node else None,
        authors=[byline.text()] if byline else [],
        body="\n\n".join(p.text() for p in tree.css("p") if "byline" not in (p.attributes.get("class") or "")),
        images=[Image(url=img.attributes["src"]) for img in tree.css("img")],
    )


def crashing_extract(html: str, url: str) -> Article:
    raise KeyError("boom")


@pytest.fixture
def eval_dir(tmp_path: Path) -> Path:
    """eval/tiny: two pages (one served as windows-1252) with truth, gzipped."""
    root = tmp_path / "eval"
    tiny = root / "tiny"
    tiny.mkdir(parents=True)
    pages = [("one", PAGE_ONE, "utf-8", TRUTH_ONE), ("two", PAGE_TWO, "windows-1252", TRUTH_TWO)]
    manifest = {"dataset": "tiny", "pages": []}
    for page_id, html, encoding, truth in pages:
        raw = html.encode(encoding)
        (tiny / f"{page_id}.html.gz").write_bytes(gzip.compress(raw))
        (tiny / f"{page_id}.json").write_text(json.dumps(truth, ensure_ascii=False), encoding="utf-8")
        manifest["pages"].append({"id": page_id, "encoding": encoding, "bytes": len(raw)})
    (tiny / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return root


def run_eval(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv").is_dir() else sys.executable,
         "-m", "scraper.evaluation", *args],
        cwd=REPO, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONUTF8": "1", **(env or {})})


def test_loader_decodes_with_the_manifest_encoding(eval_dir):
    [dataset] = find_datasets([eval_dir])
    pages = list(dataset.pages())
    assert [p.id for p in pages] == ["one", "two"]
    assert "Café owners" in pages[1].html
    assert pages[0].truth.published.value == datetime(2024, 5, 1, 1, 30, tzinfo=timezone.utc)
    assert pages[1].size == len(PAGE_TWO.encode("windows-1252"))


def test_eval_scores_a_tiny_dataset_by_the_readme_definitions(eval_dir, tmp_path):
    floor_file = tmp_path / "floors.toml"
    floor_file.write_text("[tiny]\ntitle_exact = 1.0\nbody_f1 = 0.5\n")
    details = tmp_path / "pages.jsonl"
    done = run_eval(str(eval_dir), "--json", "--floors", str(floor_file), "--details", str(details),
                    "--extractor", "tests.test_evaluation:standin_extract")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    scores = {k: v["value"] for k, v in report["datasets"]["tiny"]["scores"]["scraper"].items()}
    assert scores["title_exact"] == 1.0
    assert scores["published_day"] == 0.5  # page two has no date: a missing answer is wrong
    assert scores["published_minute"] == 1.0  # only page one has an annotated time; +07:00 == 01:30Z
    assert scores["authors_f1"] == 1.0  # "By A and B" split; page two: none annotated, none found
    assert scores["images_recall"] == 1.0  # relative URL and www on one, a srcset variant on two
    assert scores["body_precision"] == pytest.approx((1 + 7 / 9) / 2)  # "Subscribe now" is 2 fp words
    assert scores["body_recall"] == 1.0
    assert scores["body_f1"] == pytest.approx(2 * (8 / 9) / (1 + 8 / 9))
    assert set(report["datasets"]["tiny"]["speed"]) == {"lexbor parse", "scraper"}
    assert report["floors"]["failures"] == []
    lines = [json.loads(line) for line in details.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["one", "two"]
    assert lines[1]["scraper"]["scores"]["body_f1"] == pytest.approx(2 * (7 / 9) / (1 + 7 / 9))
    assert lines[1]["scraper"]["published"] is None


def test_eval_exits_1_below_a_floor_and_says_which(eval_dir, tmp_path):
    floor_file = tmp_path / "floors.toml"
    floor_file.write_text("[tiny]\npublished_day = 0.9\n")
    done = run_eval(str(eval_dir / "tiny"), "--floors", str(floor_file),
                    "--extractor", "tests.test_evaluation:standin_extract")
    assert done.returncode == 1
    assert "BELOW FLOOR tiny.published_day = 0.500 is below its floor 0.900" in done.stdout
    assert "== tiny (2 pages)" in done.stdout
    assert "time ÷ bare parse" in done.stdout


def test_write_floors_raises_and_never_lowers(eval_dir, tmp_path):
    floor_file = tmp_path / "floors.toml"
    floor_file.write_text("[tiny]\nbody_f1 = 0.5\npublished_day = 0.9\n")
    done = run_eval("--floors", str(floor_file), "--write-floors", "--extractor",
                    "tests.test_evaluation:standin_extract", env={"SCRAPER_EVAL_DIR": str(eval_dir)})
    assert done.returncode == 1  # published_day 0.5 is still below 0.9, and stays pinned there
    pinned = floors.load(floor_file)["tiny"]
    assert pinned["published_day"] == 0.9
    assert pinned["body_f1"] == 0.936  # floor(0.9412 - 0.005, 3 places)
    assert pinned["title_exact"] == 0.995


def test_a_crash_fails_the_eval_but_our_own_error_is_only_a_wrong_answer(eval_dir, tmp_path):
    empty_floors = tmp_path / "none.toml"
    crashed = run_eval(str(eval_dir), "--floors", str(empty_floors),
                       "--extractor", "tests.test_evaluation:crashing_extract")
    assert crashed.returncode == 1
    assert "CRASH tiny/one: KeyError" in crashed.stdout
    no_article = eval_dir / "tiny" / "one.html.gz"
    no_article.write_bytes(gzip.compress(b"<html><body><p>menu</p></body></html>"))
    done = run_eval(str(eval_dir), "--json", "--floors", str(empty_floors),
                    "--extractor", "tests.test_evaluation:standin_extract")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)["datasets"]["tiny"]
    assert report["errors"]["scraper"] == 1
    assert report["scores"]["scraper"]["title_exact"]["value"] == 0.5


def test_real_extractor_runs_through_scraper_eval(eval_dir, tmp_path):
    done = run_eval(str(eval_dir), "--floors", str(tmp_path / "none.toml"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "== tiny (2 pages)" in done.stdout
    assert "lexbor parse" in done.stdout


def test_scraper_eval_is_the_same_command(eval_dir, cli):
    done = cli("eval", str(eval_dir), "--limit", "1", "--extractor", "tests.test_evaluation:standin_extract")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "== tiny (1 pages)" in done.stdout
    assert "floors not checked: --limit" in done.stdout
