#!/usr/bin/env python3
"""scripts/make-sample.py - writes samples/sample.jsonl: the dataset `make run` cleans.

The text is made up here (pseudo-words from syllables, Zipf-distributed), so the
repository holds no third-party text. About a fifth of the documents get planted
copies: exact (case and punctuation changed), and near (a few words replaced,
inserted or cut), so the sample shows both drop reasons; about 1 record in 60 is
what the synthetic and degenerate filters drop (chat boilerplate, loops, mojibake).
usage: make-sample.py OUT.jsonl [N_BASE] [SEED]
"""
import json, random, sys

out = sys.argv[1]
n_base = int(sys.argv[2]) if len(sys.argv) > 2 else 6000
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 7)

syll = ["ka", "lo", "mi", "ren", "ta", "sol", "ve", "dar", "qui", "nor", "pe", "lin", "ose",
        "ful", "ar", "tem", "is", "cor", "un", "bra", "sen", "tic", "mo", "gal", "eth", "ri"]
vocab = sorted({"".join(rng.choice(syll) for _ in range(rng.randint(1, 4))) for _ in range(6000)})
rng.shuffle(vocab)
weights = [1.0 / (i + 1) ** 1.05 for i in range(len(vocab))]

def sentence():
    words = rng.choices(vocab, weights, k=rng.randint(6, 18))
    words[0] = words[0].capitalize()
    return " ".join(words) + rng.choice([".", ".", ".", "?", "!"])

def document():
    return " ".join(sentence() for _ in range(rng.randint(2, 9)))

def exact_copy(text):
    t = text.upper() if rng.random() < 0.5 else text.replace(".", " ;")
    return "  " + t + " "

def near_copy(text):
    w = text.split(" ")
    for _ in range(max(1, len(w) // rng.choice([12, 20, 40]))):
        op = rng.random()
        i = rng.randrange(len(w))
        if op < 0.5:
            w[i] = rng.choices(vocab, weights)[0]
        elif op < 0.8:
            w.insert(i, rng.choices(vocab, weights)[0])
        elif len(w) > 10:
            del w[i]
    if rng.random() < 0.2 and len(w) > 40:
        w = w[: len(w) - len(w) // 15]
    return " ".join(w)

records = []
for i in range(n_base):
    base = document()
    records.append(base)
    r = rng.random()
    if r < 0.05:
        records.append(exact_copy(base))
    elif r < 0.20:
        for _ in range(rng.randint(1, 3)):
            records.append(near_copy(base))
order = list(range(len(records)))
# Copies drift away from their source, as they do in scraped data.
for i in range(len(order) - 1, 0, -1):
    j = max(0, i - rng.randint(0, 400))
    order[i], order[j] = order[j], order[i]
# What the filters exist for, about 1 record in 60, from their own generator so the
# documents above stay as they were: chat-model boilerplate around a document,
# repetition loops, and text decoded with the wrong character set.
frng = random.Random(11)
openers = ["As an AI language model, I cannot browse the internet, but here is a summary. ",
           "Certainly! Here is the text you asked for: ",
           "I'm sorry, but I can't help with that request. ",
           "As of my last knowledge update, this is what I know. "]
closers = [" I hope this helps!", " Let me know if you have any other questions.", ""]

def synthetic(text):
    return frng.choice(openers) + text + frng.choice(closers)

def loop(text):
    first = text.split(". ")[0].rstrip(".") + ". "
    return first * frng.randint(12, 30)

def mojibake(text):
    w = text.split(" ")
    for _ in range(max(3, len(w) // 4)):
        i = frng.randrange(len(w))
        w[i] = w[i] + "\u00e9"  # an accented letter, then read as cp1252 below
    return " ".join(w).encode("utf-8").decode("cp1252")

planted = {}
kinds = [synthetic, synthetic, loop, mojibake]
for k in range(len(order) // 60):
    planted[frng.randrange(len(order))] = frng.choice(kinds)(document())
with open(out, "w") as f:
    n = 0
    for k, i in enumerate(order):
        if k in planted:
            f.write(json.dumps({"id": "doc-%06d" % n, "text": planted[k]}, ensure_ascii=False) + "\n")
            n += 1
        f.write(json.dumps({"id": "doc-%06d" % n, "text": records[i]}, ensure_ascii=False) + "\n")
        n += 1
