package gen

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode"
)

// Word lists. Every word is lowercase ASCII letters only, so a name made
// from them is a valid Go package name and file name with no build
// constraint suffix (no underscores). None is a Go keyword, a predeclared
// identifier, a standard package the generated code imports, or a local
// identifier the templates use (n, v, it, total, buf, ...).
var (
	areas = []string{
		"auth", "billing", "catalog", "data", "infra", "media", "network",
		"observe", "platform", "search", "security", "storage", "payments",
		"shipping", "users", "messaging",
	}
	nouns = []string{
		"ledger", "clock", "cache", "queue", "batch", "cursor", "token", "session",
		"quota", "limiter", "router", "shard", "index", "journal", "lease", "mailbox",
		"meter", "notice", "policy", "price", "profile", "ranker", "record", "region",
		"replica", "report", "retry", "ring", "rollup", "route", "sampler", "schema",
		"scope", "segment", "sketch", "slot", "snapshot", "span", "stamp", "tally",
		"tenant", "ticket", "timer", "topic", "trace", "tracker", "vault", "window",
		"worker", "anchor", "beacon", "bucket", "bundle", "channel", "cipher", "coupon",
		"digest", "drift", "envelope", "feed", "filter", "gauge", "grant", "handle",
		"hash", "hint", "inbox", "invoice", "keyring", "label", "layout", "lineage",
		"locale", "manifest", "marker", "matrix", "member", "mirror", "modem", "nonce",
		"offset", "outbox", "packet", "parcel", "patch", "pivot", "probe", "prompt",
		"quorum", "ration", "receipt", "relay", "resolver", "roster", "ruler", "scanner",
	}
	suffixes = []string{
		"", "store", "kit", "codec", "pool", "view", "meta", "plan", "scan", "set",
		"proto", "graph", "table", "wire", "check", "state", "agent", "model", "mux", "fmt",
	}
	verbs = []string{
		"Apply", "Build", "Collect", "Compute", "Derive", "Expand", "Fold", "Gather",
		"Measure", "Normalize", "Pack", "Plan", "Rank", "Reduce", "Resolve", "Score",
		"Select", "Shape", "Split", "Tune", "Weigh", "Balance", "Clamp", "Blend",
	}
	methods = []string{"Advance", "Absorb", "Grow", "Shrink", "Bump", "Settle", "Note", "Spend"}
	domains = []string{
		"orders", "invoices", "shipments", "payments", "accounts", "carts", "refunds",
		"reviews", "listings", "bookings", "alerts", "audits", "coupons", "deliveries",
		"imports", "exports", "leads", "loans", "quotes", "rentals", "returns", "subscriptions",
		"tickets", "transfers", "trips", "visits", "wallets", "warranties", "claims", "bids",
	}
	roles   = []string{"", "api", "worker", "gateway", "sync", "admin", "cron", "indexer"}
	events  = []string{"", "Created", "Updated", "Summary", "Request", "Reply", "Batch"}
	docs    = []string{"architecture", "onboarding", "runbook", "oncall", "release", "style", "security", "glossary"}
	authors = []string{
		"Ada Byron <ada@example.com>", "Grace Hopper <grace@example.com>",
		"Ken Thompson <ken@example.com>", "Barbara Liskov <barbara@example.com>",
		"Rob Pike <rob@example.com>", "Frances Allen <frances@example.com>",
	}
)

// singular turns a domain such as "orders" into a type name such as "Order".
func singular(domain string) string {
	s := domain
	switch {
	case strings.HasSuffix(s, "ies"):
		s = strings.TrimSuffix(s, "ies") + "y"
	case strings.HasSuffix(s, "s"):
		s = strings.TrimSuffix(s, "s")
	}
	return pascal(s)
}

// pascal upper-cases the first letter.
func pascal(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// snake turns a Go field name such as "NetTotal" or "ID" into a JSON key
// such as "net_total" or "id".
func snake(s string) string {
	var b strings.Builder
	r := []rune(s)
	for i, c := range r {
		if unicode.IsUpper(c) {
			if i > 0 && (unicode.IsLower(r[i-1]) || i+1 < len(r) && unicode.IsLower(r[i+1])) {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(c))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// namer hands out names that are unique within its scope, in a
// deterministic order drawn from a candidate list.
type namer struct {
	used map[string]bool
}

func newNamer() *namer { return &namer{used: map[string]bool{}} }

// take returns the first unused candidate, or the first candidate with the
// smallest numeric suffix that is unused, and marks it used.
func (n *namer) take(candidates []string) string {
	for _, c := range candidates {
		if !n.used[c] {
			n.used[c] = true
			return c
		}
	}
	for i := 2; ; i++ {
		for _, c := range candidates {
			s := fmt.Sprintf("%s%d", c, i)
			if !n.used[s] {
				n.used[s] = true
				return s
			}
		}
	}
}

// reserve marks names used without returning them.
func (n *namer) reserve(names ...string) {
	for _, s := range names {
		n.used[s] = true
	}
}

// pick returns one random element.
func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// shuffled returns a shuffled copy.
func shuffled[T any](rng *rand.Rand, xs []T) []T {
	out := append([]T(nil), xs...)
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// libCandidates lists package names for new libraries: a random noun with
// each suffix, in random order.
func libCandidates(rng *rand.Rand) []string {
	out := make([]string, 0, 8)
	noun := pick(rng, nouns)
	for _, s := range shuffled(rng, suffixes)[:8] {
		out = append(out, noun+s)
	}
	return out
}

// serviceCandidates lists directory names for new services.
func serviceCandidates(rng *rand.Rand) []string {
	d := strings.ToLower(singular(pick(rng, domains)))
	var out []string
	for _, r := range shuffled(rng, roles) {
		if r == "" {
			out = append(out, d)
		} else {
			out = append(out, d+"-"+r)
		}
	}
	return out
}
