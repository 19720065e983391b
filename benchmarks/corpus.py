"""A generated news corpus for the speed benchmarks: templates filled with random companies and figures.

    .venv/bin/python benchmarks/corpus.py OUT_DIR [--n 2000] [--seed 7]

Every article is a markdown file with front matter, 240–400 words like a wire earnings story, about one
company's quarter: results, segments, management comments, analysts, the share price. Seeded, so the same command writes the same files.
Nothing here is copied text; the sentences are templates written for this script.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

PREFIXES = ["North", "Blue", "Silver", "Red", "Jade", "Iron", "Bright", "Great", "East", "Summit", "Harbor", "Pine",
            "Golden", "Cedar", "Falcon", "Lotus", "Orbit", "Delta", "Nova", "Crest"]
SUFFIXES = ["Wave", "Peak", "Stone", "Field", "Bridge", "Leaf", "Gate", "Point", "Path", "Forge", "Light", "Rock"]
KINDS = ["Holdings", "Group", "Technologies", "Networks", "Retail", "Motors", "Foods", "Energy", "Logistics", "Bank"]
SEGMENTS = ["cloud", "advertising", "e-commerce", "logistics", "payments", "gaming", "devices", "subscriptions",
            "enterprise software", "international commerce", "local services", "electric vehicles"]
PEOPLE = ["Li Wen", "Maria Costa", "James Okafor", "Chen Yu", "Priya Nair", "Tomás Ruiz", "Anna Berg", "Kenji Sato",
          "Fatima Hassan", "Daniel Weber", "Zhou Min", "Laura Conti"]
CITIES = ["Hangzhou", "Shenzhen", "Beijing", "Shanghai", "Singapore", "Seoul", "Tokyo", "London", "New York", "Berlin"]
CURRENCIES = [("yuan", 7.2), ("dollars", 1.0), ("euros", 0.92), ("won", 1350.0), ("yen", 150.0)]
HEADLINE_VERBS = {"rose": "rises", "fell": "falls", "jumped": "jumps", "slipped": "slips"}
QUARTERS = [("March", 31), ("June", 30), ("September", 30), ("December", 31)]

OPENINGS = [
    "{company} said on {weekday} that revenue for the quarter ended {period} rose {growth}% to {revenue} billion "
    "{currency}, {beat} the average estimate of analysts polled before the release.",
    "Revenue at {company} climbed {growth}% from a year earlier to {revenue} billion {currency} in the three months "
    "to {period}, the {city}-based company reported, {beat} what analysts had pencilled in.",
    "{company} reported quarterly sales of {revenue} billion {currency} for the period ended {period}, up {growth}% "
    "on the year and {beat} forecasts compiled by data providers.",
]
PROFIT = [
    "Net income {direction} {profit_change}% to {profit} billion {currency}, which the company put down to {reason}.",
    "Profit attributable to shareholders {direction} {profit_change}% to {profit} billion {currency}; executives "
    "pointed to {reason}.",
    "The bottom line {direction} {profit_change}% to {profit} billion {currency}, a move the finance chief linked "
    "to {reason}.",
]
REASONS = ["higher spending on data centres", "gains on its investment portfolio", "one-off restructuring charges",
           "a weaker local currency", "lower marketing costs", "tighter cost control across the group",
           "impairments on overseas assets", "a rise in interest income"]
SEGMENT_LINES = [
    "Its {segment} unit grew {seg_growth}% to {seg_revenue} billion {currency}, helped by {driver}.",
    "Sales in {segment} reached {seg_revenue} billion {currency}, {seg_growth}% higher than a year before, on {driver}.",
    "The {segment} business, which management calls its next engine of growth, expanded {seg_growth}% to "
    "{seg_revenue} billion {currency} on {driver}.",
]
DRIVERS = ["demand from small businesses", "new customers in Southeast Asia", "a price increase in the spring",
           "stronger holiday sales", "a wave of orders for AI computing", "cheaper delivery options",
           "growth in paying members", "a new flagship product"]
QUOTES = [
    "\"We kept investing through a difficult market, and the results show it was the right call,\" chief executive "
    "{person} told analysts on a call after the results.",
    "Chief executive {person} said the company would \"stay disciplined on costs while spending where customers "
    "are moving,\" adding that hiring would slow in the coming months.",
    "\"Our priority for the next year is {segment},\" said {person}, who took over as chief executive in {year}.",
]
ANALYSTS = [
    "{analyst}, an analyst at {bank}, said the figures were {tone} and kept a target price of {target} {currency}.",
    "Analysts at {bank} described the quarter as {tone}, noting that margins in {segment} had {margin_move}.",
    "\"The market wanted proof that {segment} can carry the group, and this quarter gave {proof},\" said {analyst} "
    "of {bank}.",
]
BANKS = ["Morgan Stanley", "Citi", "Nomura", "HSBC", "Jefferies", "UBS", "Macquarie", "Bernstein", "CLSA"]
TONES = ["solid", "mixed", "better than feared", "disappointing", "encouraging", "a clear step up"]
MARKET = [
    "Shares of {company} {moved} {share_change}% in {city} trading after the announcement, giving the company a "
    "market value of about {cap} billion dollars.",
    "The stock {moved} {share_change}% by the close, leaving it {ytd} so far this year.",
    "Investors reacted {reaction}: the shares {moved} {share_change}% in early trading before settling.",
]
OUTLOOK = [
    "For the current quarter the company expects revenue between {low} billion and {high} billion {currency}.",
    "Management did not give a forecast for the next quarter but said it would buy back up to {buyback} billion "
    "dollars of its own shares over the next {years} years.",
    "The board approved a dividend of {dividend} {currency} a share, payable in {month}.",
]
BACKGROUND = [
    "{company} was founded in {city} in {founded} and employs about {staff:,} people across {countries} countries.",
    "The company has spent the past two years reorganising into separate units, each with its own board, "
    "to make decisions faster and to prepare some of them for listings.",
    "Competition in {segment} has intensified as rivals cut prices, and regulators in several markets have "
    "opened reviews of how large platforms treat smaller merchants.",
    "Last year {company} sold its stake in a regional supermarket chain and closed two loss-making overseas "
    "ventures, part of a plan to focus on fewer businesses.",
]


def company_name(rng: random.Random) -> str:
    return f"{rng.choice(PREFIXES)}{rng.choice(SUFFIXES).lower()} {rng.choice(KINDS)}"


def article(rng: random.Random, number: int) -> tuple[str, str]:
    """One article as (file name, markdown text)."""
    company = company_name(rng)
    year = rng.randint(2019, 2025)
    month, day = rng.choice(QUARTERS)
    currency, _ = rng.choice(CURRENCIES)
    revenue = rng.uniform(2, 400)
    segments = rng.sample(SEGMENTS, 3)
    values = {
        "company": company, "period": f"{month} {day}, {year}", "weekday": rng.choice(["Monday", "Tuesday",
        "Wednesday", "Thursday", "Friday"]), "growth": rng.randint(1, 45), "revenue": f"{revenue:.1f}",
        "currency": currency, "beat": rng.choice(["ahead of", "short of", "in line with"]), "city": rng.choice(CITIES),
        "direction": rng.choice(list(HEADLINE_VERBS)), "profit_change": rng.randint(1, 80),
        "profit": f"{revenue * rng.uniform(0.03, 0.25):.2f}", "reason": rng.choice(REASONS),
        "person": rng.choice(PEOPLE), "year": rng.randint(2015, 2024), "analyst": rng.choice(PEOPLE),
        "bank": rng.choice(BANKS), "tone": rng.choice(TONES), "target": rng.randint(20, 400),
        "margin_move": rng.choice(["widened", "narrowed", "held steady"]), "proof": rng.choice(["it", "some of it"]),
        "moved": rng.choice(["rose", "fell", "gained", "dropped"]), "share_change": f"{rng.uniform(0.2, 12):.1f}",
        "cap": rng.randint(5, 900), "ytd": rng.choice(["up 12%", "down 8%", "roughly flat", "up a third"]),
        "reaction": rng.choice(["warmly", "cautiously", "coolly"]), "low": f"{revenue * 0.95:.1f}",
        "high": f"{revenue * 1.08:.1f}", "buyback": rng.randint(1, 25), "years": rng.randint(2, 4),
        "dividend": f"{rng.uniform(0.1, 3):.2f}", "month": rng.choice(["January", "April", "July", "October"]),
        "founded": rng.randint(1985, 2015), "staff": rng.randint(2, 250) * 1000, "countries": rng.randint(3, 60),
    }
    paragraphs = [rng.choice(OPENINGS), rng.choice(PROFIT)]
    for segment in segments:
        line = rng.choice(SEGMENT_LINES)
        paragraphs.append(line.format(segment=segment, seg_growth=rng.randint(1, 60), driver=rng.choice(DRIVERS),
                                      seg_revenue=f"{revenue * rng.uniform(0.05, 0.4):.1f}", currency=currency))
    paragraphs += [rng.choice(QUOTES), *rng.sample(ANALYSTS, 2), rng.choice(MARKET), *rng.sample(OUTLOOK, 2),
                   *rng.sample(BACKGROUND, rng.randint(2, 4))]
    values["segment"] = segments[0]
    body = "\n\n".join(p.format(**values) for p in paragraphs)
    title = f"{company} profit {HEADLINE_VERBS[values['direction']]} in quarter to {month} {year}"
    date = f"{year}-{QUARTERS.index((month, day)) * 3 + 4:02d}-{rng.randint(10, 28)}" if month != "December" \
        else f"{year + 1}-02-{rng.randint(10, 28)}"
    name = f"{number:05d}-{company.lower().replace(' ', '-')}-{month.lower()}-{year}.md"
    return name, f"---\ntitle: \"{title}\"\ndate: {date}\nsource: Generated Wire\n---\n\n{body}\n"


def generate(folder: Path, n: int = 2000, seed: int = 7) -> list[Path]:
    """Write ``n`` articles into ``folder`` (created if needed) and return their paths."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(n):
        name, text = article(rng, number)
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    paths = generate(args.out, args.n, args.seed)
    words = sum(len(p.read_text().split()) for p in paths)
    print(f"wrote {len(paths)} articles, {words / len(paths):.0f} words each on average, to {args.out}")


if __name__ == "__main__":
    main()
