package partiql

import (
	"strings"
	"testing"

	"github.com/gureum/gureum/internal/dynamodb/attr"
	"github.com/gureum/gureum/internal/dynamodb/expr"
)

func TestParse(t *testing.T) {
	item := attr.Item{"pk": attr.Str("a"), "n": attr.Num("3"), "tags": {Kind: attr.SS, Set: []string{"x"}}}
	for _, tc := range []struct {
		src   string
		kind  string
		match bool
	}{
		{`SELECT * FROM "T" WHERE pk = 'a'`, "SELECT", true},
		{`select pk, n from T where pk = ? and n > 2`, "SELECT", true},
		{`SELECT * FROM "T"."idx" WHERE "n" BETWEEN 1 AND 5`, "SELECT", true},
		{`SELECT * FROM T WHERE n IN [1, 3] AND missing IS MISSING AND n IS NOT MISSING`, "SELECT", true},
		{`SELECT * FROM T WHERE begins_with(pk, 'a') OR contains(tags, 'y')`, "SELECT", true},
		{`SELECT * FROM T WHERE NOT (n <> 3)`, "SELECT", true},
		{`SELECT * FROM T WHERE n != 3`, "SELECT", false},
		{`DELETE FROM "T" WHERE pk = 'b'`, "DELETE", false},
		{`UPDATE "T" SET n = 4 SET m = {'a': [1, 'x', <<'s'>>]} REMOVE old WHERE pk = 'a'`, "UPDATE", true},
	} {
		st, err := Parse(tc.src, []attr.Value{attr.Str("a")}[:strings.Count(tc.src, "?")])
		if err != nil {
			t.Errorf("Parse(%q) = %v", tc.src, err)
			continue
		}
		if st.Kind != tc.kind || st.Where != nil && expr.Eval(st.Where, item) != tc.match {
			t.Errorf("Parse(%q) = %s, match %v; want %s, %v", tc.src, st.Kind, !tc.match, tc.kind, tc.match)
		}
	}
	st, err := Parse(`INSERT INTO "T" VALUE {'pk': 'k', 'n': 1.50, 'b': true, 'z': null, 'l': [1, 2], 's': <<1, 2>>, 'm': {'x': ?}}`, []attr.Value{attr.Str("p")})
	if err != nil || st.Item["n"].S != "1.5" || st.Item["s"].Kind != attr.NS || st.Item["m"].M["x"].S != "p" || !st.Item["b"].Bool {
		t.Errorf("Parse(INSERT) = %+v, %v", st, err)
	}
	for src, want := range map[string]string{
		`SELEC * FROM T`:                   "Expected data manipulation",
		`SELECT * FROM T WHERE`:            "Statement wasn't well formed",
		`SELECT * FROM T WHERE pk = ?`:     "Number of parameters in request and statement don't match.",
		`INSERT INTO T VALUE 'x'`:          "VALUE must be a tuple",
		`DELETE FROM T`:                    "Expected WHERE",
		`SELECT * FROM T WHERE pk = 'x`:    "Unterminated",
		`SELECT * FROM T WHERE pk = 1e999`: "Number overflow",
	} {
		if _, err := Parse(src, nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v; want %q", src, err, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{`SELECT * FROM "T" WHERE pk = 'a' AND n BETWEEN 1 AND 2`, `INSERT INTO T VALUE {'a': [1, <<'x'>>, {'b': null}]}`,
		`UPDATE T SET a.b[1] = ? REMOVE c WHERE pk = 'k'`, `DELETE FROM T WHERE pk = ? AND x IS NOT MISSING`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		st, err := Parse(src, []attr.Value{attr.Str("p")})
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Parse(%q) = %T; want *Error", src, err)
			}
			return
		}
		if st.Where != nil {
			expr.Eval(st.Where, attr.Item{"pk": attr.Str("p")})
		}
	})
}
