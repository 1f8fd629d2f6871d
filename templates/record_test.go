package templates

import "testing"

func TestWordClasses(t *testing.T) {
	tests := []struct {
		word       string
		ttl, class bool
	}{
		{word: "3600", ttl: true},
		{word: "1h30m", ttl: true},
		{word: "1W", ttl: true},
		{word: "h1", ttl: false},
		{word: "", ttl: false},
		{word: "IN", class: true},
		{word: "in", class: true},
		{word: "CH", class: true},
		{word: "CLASS255", class: true},
		{word: "CLASS", class: false},
		{word: "CLASSX", class: false},
		{word: "A", class: false},
		{word: "AAAA", class: false},
	}
	for _, tt := range tests {
		if got := isTTL(tt.word); got != tt.ttl {
			t.Errorf("isTTL(%q) = %v, want %v", tt.word, got, tt.ttl)
		}
		if got := isClass(tt.word); got != tt.class {
			t.Errorf("isClass(%q) = %v, want %v", tt.word, got, tt.class)
		}
	}
}

// TestRecordRoles checks which words of a record are owner, TTL, class,
// type and rdata, and how parentheses join lines into one record.
func TestRecordRoles(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		records int    // records found
		typ     string // type of the first record
		rdata   int    // rdata fields of the first record
		ttl     bool   // whether the first record has a TTL
	}{
		{name: "full", text: "www 300 IN A 192.0.2.1\n", records: 1, typ: "A", rdata: 1, ttl: true},
		{name: "class before ttl", text: "www IN 300 A 192.0.2.1\n", records: 1, typ: "A", rdata: 1, ttl: true},
		{name: "no owner", text: "\tIN AAAA 2001:db8::1\n", records: 1, typ: "AAAA", rdata: 1},
		{name: "owner that looks like a TTL", text: "300 IN A 192.0.2.1\n", records: 1, typ: "A", rdata: 1},
		{name: "parentheses", text: "@ SOA ns host (\n 1 ; c\n\n 2 3 4 5 )\nwww A 192.0.2.1\n", records: 2, typ: "SOA", rdata: 7},
		{name: "paren in quotes", text: "x TXT \"(\" y\nz A 192.0.2.1\n", records: 2, typ: "TXT", rdata: 2},
		{name: "directive", text: "$TTL 300\n", records: 1, typ: "$TTL", rdata: 1},
		{name: "stray close", text: "x A 192.0.2.1 )\ny A 192.0.2.2\n", records: 2, typ: "A", rdata: 1},
		{name: "unclosed", text: "x TXT ( a\nb\n", records: 1, typ: "TXT", rdata: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := splitLines(tt.text)
			lexed := make([]lexedLine, len(lines))
			for i, l := range lines {
				lexed[i] = lexLine(l.text)
			}
			var recs []record
			for _, s := range groupLines(lexed) {
				if s.isRecord {
					recs = append(recs, newRecord(s, lines, lexed))
				}
			}
			if len(recs) != tt.records {
				t.Fatalf("found %d records, want %d", len(recs), tt.records)
			}
			r := recs[0]
			if got := r.typeName(lines); got != tt.typ {
				t.Errorf("type %q, want %q", got, tt.typ)
			}
			n := 0
			for _, f := range r.fields {
				if f.role == roleRdata {
					n++
				}
			}
			if n != tt.rdata {
				t.Errorf("%d rdata fields, want %d", n, tt.rdata)
			}
			if got := r.ttl >= 0; got != tt.ttl {
				t.Errorf("has TTL %v, want %v", got, tt.ttl)
			}
		})
	}
}
