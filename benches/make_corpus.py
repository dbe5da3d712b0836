#!/usr/bin/env python3
"""Writes a synthetic engineering handbook for the benchmarks, the same for a given seed.

    python3 benches/make_corpus.py --pages 10000 --out /dev/shm/corpus-10000 --seed 42

makes OUT/neutral (book.toml + content/, what stagebook builds) and OUT/manifest.json (counts).
`--layouts neutral,hugo,mdbook` also writes the same pages for Hugo (config.toml + content/)
and mdBook (book.toml + src/ with SUMMARY.md), to compare tools on one text.

The text is made up but shaped like a real handbook: folders of pages with section pages that
list them, pages of 3-10 KB (a few much longer) with headings, paragraphs of Zipf-distributed
words (common English and engineering words plus invented ones, so the search index has a
realistic long tail), inline emphasis and code, nested lists, tables, code blocks in about 30%
of pages, and relative links between pages and to headings of the same page.
"""
import argparse
import hashlib
import itertools
import json
import os
import random
import shutil

GENERATOR_VERSION = 1

# Frequent words first: their rank sets how often they appear.
COMMON = """the of and to a in is that for it as with be on by this are or your from at an we
should not can each before when after will must have if all one more than only also into
over about which their any other may new how what who through use run make keep check""".split()
DOMAIN = """service deploy release incident review owner team alert metric budget policy
backup restore access secret token database query index cache queue worker job pipeline build
test staging production region cluster node network latency error retry timeout rollback
migration schema version branch merge ticket sprint roadmap milestone goal customer support
feedback report audit compliance privacy consent retention vendor contract invoice expense
hiring onboarding training mentor interview manager engineer design document template
checklist runbook playbook handbook guide process workflow approval escalation severity
priority status summary decision risk cost estimate capacity quota limit scale load
traffic monitor dashboard log trace span sample threshold page call shift rotation holiday
week month quarter year day hour minute security encryption key certificate firewall
account role permission group user admin config setting flag feature option default value
record table field column row file folder repository commit tag artifact image container
library dependency upgrade patch fix bug issue plan task project owner meeting note""".split()
ONSETS = "b bl br c ch cl cr d dr f fl fr g gl gr h j k kl l m n p pl pr qu r s sh sk sl sp st t th tr v w z".split()
VOWELS = "a e i o u ai ea ee io oo ou y".split()
CODAS = "n r s t l m x ck nd rt st ng sh rk".split() + ["", "", ""]
SUFFIXES = ["", "", "", "ing", "ment", "able", "ness", "ity", "ly", "er", "tion"]
LANGUAGES = {
    "bash": ["set -euo pipefail", "{w}_dir=\"/srv/{w}\"", "if [ -d \"${w}_dir\" ]; then", "  echo \"{w} {n}\"",
             "fi", "curl -fsS https://{w}.example.internal/health", "systemctl restart {w}-{w2}"],
    "python": ["def {w}_{w2}(items):", "    total = 0", "    for item in items:", "        total += item.{w}",
               "    return total / max(len(items), 1)", "{w} = {{\"{w2}\": {n}, \"enabled\": True}}",
               "print(f\"{w}: {{{w}}}\")"],
    "rust": ["fn {w}_{w2}(input: &[u32]) -> u64 {{", "    let {w}: u64 = input.iter().map(|&x| u64::from(x)).sum();",
             "    {w} * {n}", "}}", "let {w2} = vec![{n}, {n2}];", "assert_eq!({w}_{w2}(&{w2}), {n});"],
    "toml": ["[{w}]", "{w2} = {n}", "enabled = true", "name = \"{w}-{w2}\"", "[{w}.{w2}]", "timeout = \"{n}s\""],
    "yaml": ["{w}:", "  {w2}: {n}", "  enabled: true", "  hosts:", "    - {w}-{n}.internal", "  retries: {n2}"],
}


def zipf_weights(n, s=1.0):
    return list(itertools.accumulate(1.0 / (rank + 1) ** s for rank in range(n)))


class Writer:
    """Everything random, drawn from one seeded generator in a fixed order."""

    def __init__(self, seed, vocabulary):
        self.rng = random.Random(seed)
        invented = set()
        while len(invented) < vocabulary:
            invented.add(self.invent())
        invented -= set(COMMON) | set(DOMAIN)
        self.words = COMMON + DOMAIN + sorted(invented)
        self.rng.shuffle(self.words[len(COMMON):])  # domain and invented words mixed in rank
        self.cum = zipf_weights(len(self.words))
        self.used = set()

    def invent(self):
        r = self.rng
        word = "".join(r.choice(ONSETS) + r.choice(VOWELS) for _ in range(r.choice((1, 2, 2, 3))))
        return word + r.choice(CODAS) + r.choice(SUFFIXES)

    def pick(self, k):
        words = self.rng.choices(self.words, cum_weights=self.cum, k=k)
        self.used.update(words)
        return words

    def title(self, lo=2, hi=6):
        # Titles draw from the middle of the vocabulary: names, not glue words.
        r = self.rng
        words = [self.words[int(r.paretovariate(0.6) * 20) % len(self.words)] for _ in range(r.randint(lo, hi))]
        words = [w for w in words if w not in COMMON] or [r.choice(DOMAIN)]
        self.used.update(words)
        return " ".join(w.capitalize() for w in words)

    def sentence(self, lo=6, hi=24):
        r = self.rng
        words = self.pick(r.randint(lo, hi))
        for i in range(len(words)):
            roll = r.random()
            if roll < 0.03:
                words[i] = f"*{words[i]}*"
            elif roll < 0.05:
                words[i] = f"**{words[i]}**"
            elif roll < 0.08:
                words[i] = f"`{words[i]}`"
            elif roll < 0.09:
                words[i] = str(r.randint(1, 9999))
            elif roll < 0.095:
                words[i] = f"v{r.randint(1, 9)}.{r.randint(0, 30)}.{r.randint(0, 9)}"
        if len(words) > 8 and r.random() < 0.4:
            words[r.randint(2, len(words) - 3)] += ","
        text = " ".join(words)
        return text[0].upper() + text[1:] + r.choice(".....?")

    def paragraph(self, links, lo=3, hi=11):
        r = self.rng
        sentences = [self.sentence() for _ in range(r.randint(lo, hi))]
        # Links go inside a sentence, before its final punctuation.
        for _ in range(sum(r.random() < 0.18 for _ in range(3))):
            if not links:
                break
            target, label = r.choice(links)
            i = r.randrange(len(sentences))
            sentences[i] = f"{sentences[i][:-1]} [{label}]({target}){sentences[i][-1]}"
        return " ".join(sentences)

    def bullet_list(self):
        r = self.rng
        lines = []
        for _ in range(r.randint(3, 9)):
            lines.append("- " + self.sentence(3, 14))
            if r.random() < 0.25:
                lines.extend("  - " + self.sentence(3, 9) for _ in range(r.randint(1, 3)))
        return "\n".join(lines)

    def table(self):
        r = self.rng
        cols = r.randint(2, 5)
        head = [self.title(1, 2) for _ in range(cols)]
        rows = [" | ".join(" ".join(self.pick(r.randint(1, 3))) for _ in range(cols)) for _ in range(r.randint(3, 8))]
        return "\n".join([f"| {' | '.join(head)} |", "|" + "---|" * cols] + [f"| {row} |" for row in rows])

    def code(self):
        r = self.rng
        lang = r.choice(sorted(LANGUAGES))
        lines = []
        for _ in range(r.randint(4, 16)):
            w, w2 = (x.replace("-", "_") for x in r.sample(self.words[len(COMMON):len(COMMON) + 400], 2))
            lines.append(r.choice(LANGUAGES[lang]).format(w=w, w2=w2, n=r.randint(1, 500), n2=r.randint(1, 500)))
        return f"```{lang}\n" + "\n".join(lines) + "\n```"


def slug(heading):
    """The heading id stagebook (and GitHub) gives a heading made of plain words."""
    return heading.lower().replace(" ", "-")


def page_body(w, title, links, long_page, with_code):
    r = w.rng
    blocks = [f"# {title}", w.paragraph(links)]
    headings = []
    sections = r.randint(8, 14) if long_page else r.randint(2, 5)
    code_at = r.randrange(sections) if with_code else -1
    for s in range(sections):
        heading = w.title(2, 4)
        while heading in headings or heading == title:
            heading += " " + w.title(1, 1)
        headings.append(heading)
        blocks.append(f"## {heading}")
        own = [(f"#{slug(h)}", h) for h in headings[:-1]]
        for _ in range(r.randint(1, 3)):
            blocks.append(w.paragraph(links + own[:1]))
        roll = r.random()
        if roll < 0.35:
            blocks.append(w.bullet_list())
        elif roll < 0.5:
            blocks.append(w.table())
        if s == code_at:
            blocks.append(w.code())
            if r.random() < 0.1:
                blocks.append(w.code())
    return "\n\n".join(blocks) + "\n"


def relative(src_dir, target):
    rel = os.path.relpath(target, src_dir or ".")
    return rel.replace(os.sep, "/")


def plan(w, pages):
    """Folders (path, title) and the pages in each: (folder, file name, title)."""
    r = w.rng
    tops = max(3, round(pages ** 0.5 / 5))
    folders = []
    # Names a tool gives a meaning to (folder pages, stagebook's own output folders).
    names = {"index", "readme", "_index", "search", "static", "404"}

    def fresh_name(title):
        base = slug(title)[:48].strip("-")
        name, n = base, 1
        while name in names:
            n += 1
            name = f"{base}-{n}"
        names.add(name)
        return name

    for _ in range(tops):
        title = w.title(1, 3)
        top = fresh_name(title)
        folders.append((top, title))
        for _ in range(r.choice((0, 1, 1, 2, 3))):
            sub_title = w.title(1, 3)
            folders.append((f"{top}/{fresh_name(sub_title)}", sub_title))
    regular = pages - len(folders) - 1  # every folder has a section page, plus the home page
    if regular < 1:
        raise SystemExit(f"--pages must be at least {len(folders) + 2}")
    weights = [r.uniform(0.5, 1.5) for _ in folders]
    entries = {f: [] for f, _ in folders}
    for folder in r.choices([f for f, _ in folders], weights=weights, k=regular):
        title = w.title()
        entries[folder].append((fresh_name(title), title))
    return folders, entries


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def generate(pages, seed):
    """(relative path in content/, front matter weight, title, body) of every page."""
    w = Writer(seed, vocabulary=max(800, min(6000, pages // 2)))
    r = w.rng
    folders, entries = plan(w, pages)
    all_pages = [f"{folder}/{name}.md" for folder, _ in folders for name, _ in entries[folder]]
    titles = {f"{folder}/{name}.md": title for folder, _ in folders for name, title in entries[folder]}
    out = []
    stats = {"code_blocks": 0, "links": 0}
    for folder, folder_title in folders:
        children = [f"- [{t}]({n}.md)" for n, t in entries[folder]]
        children += [f"- [{t}]({sub[len(folder) + 1:]}/_index.md)" for sub, t in folders if os.path.dirname(sub) == folder]
        body = f"# {folder_title}\n\n{w.paragraph([])}\n\n## Contents\n\n" + "\n".join(children) + "\n"
        out.append((f"{folder}/_index.md", len(out), folder_title, body))
        for weight, (name, title) in enumerate(entries[folder]):
            src = f"{folder}/{name}.md"
            targets = r.sample(all_pages, k=min(len(all_pages), r.randint(2, 8)))
            links = [(relative(folder, t), titles[t]) for t in targets if t != src]
            body = page_body(w, title, links, long_page=r.random() < 0.02, with_code=r.random() < 0.3)
            stats["code_blocks"] += body.count("```") // 2
            stats["links"] += body.count("](")
            out.append((src, weight + 1, title, body))
    home = "\n".join(f"- {t}: [{titles[f'{f}/{entries[f][0][0]}.md']}]({f}/{entries[f][0][0]}.md)"
                     for f, t in folders if entries[f])
    out.insert(0, ("_index.md", 0, "Synthetic Handbook",
                   f"# Synthetic Handbook\n\n{w.paragraph([])}\n\n## Contents\n\n{home}\n"))
    stats["vocabulary_words"] = len(w.used)
    stats["folders"] = len(folders)
    return out, stats


def front_matter(title, weight):
    quoted = title.replace("\\", "\\\\").replace('"', '\\"')
    return f'+++\ntitle = "{quoted}"\nweight = {weight}\n+++\n\n'


def write_neutral(root, book):
    write(os.path.join(root, "book.toml"), '[book]\ntitle = "Synthetic Handbook"\n')
    for rel, weight, title, body in book:
        write(os.path.join(root, "content", rel), front_matter(title, weight) + body)


def write_hugo(root, book):
    write(os.path.join(root, "config.toml"), 'baseURL = "/"\ntitle = "Synthetic Handbook"\n')
    for rel, weight, title, body in book:
        write(os.path.join(root, "content", rel), front_matter(title, weight) + body)


def write_mdbook(root, book):
    write(os.path.join(root, "book.toml"), '[book]\ntitle = "Synthetic Handbook"\nsrc = "src"\n')

    def to_md(rel):
        return rel.replace("_index.md", "README.md")

    summary = ["# Summary", ""]
    for rel, _, title, body in book:
        # mdBook has no front matter; links to section pages name their README.md.
        write(os.path.join(root, "src", to_md(rel)), body.replace("/_index.md)", "/README.md)"))
        if rel == "_index.md":
            summary += [f"[{title}](README.md)", ""]
        else:
            depth = rel.count("/") - (1 if rel.endswith("/_index.md") else 0)
            summary.append("    " * depth + f"- [{title}]({to_md(rel)})")
    write(os.path.join(root, "src", "SUMMARY.md"), "\n".join(summary) + "\n")


LAYOUTS = {"neutral": write_neutral, "hugo": write_hugo, "mdbook": write_mdbook}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, required=True, help="pages in total, section pages included")
    ap.add_argument("--out", required=True, help="folder to write the layouts into (its layout folders are replaced)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--layouts", default="neutral", help="comma-separated: " + ", ".join(LAYOUTS))
    args = ap.parse_args()
    layouts = [l for l in args.layouts.split(",") if l]
    unknown = [l for l in layouts if l not in LAYOUTS]
    if unknown:
        raise SystemExit(f"unknown layout(s): {', '.join(unknown)}")
    book, stats = generate(args.pages, args.seed)
    os.makedirs(args.out, exist_ok=True)
    for layout in layouts:
        root = os.path.join(args.out, layout)
        if os.path.exists(os.path.join(root, ".made-by-make-corpus")):
            shutil.rmtree(root)
        elif os.path.exists(root):
            raise SystemExit(f"{root} exists and was not written by this script; not replacing it")
        LAYOUTS[layout](root, book)
        write(os.path.join(root, ".made-by-make-corpus"), "")
    digest = hashlib.sha256("".join(rel + body for rel, _, _, body in book).encode()).hexdigest()
    manifest = {"generator": "benches/make_corpus.py", "generator_version": GENERATOR_VERSION, "seed": args.seed,
                "pages": len(book), "layouts": layouts, "bytes": sum(len(b.encode()) for *_, b in book),
                "sha256": digest, **stats}
    write(os.path.join(args.out, "manifest.json"), json.dumps(manifest, indent=2) + "\n")
    print(json.dumps(manifest))


if __name__ == "__main__":
    main()
