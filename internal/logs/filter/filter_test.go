package filter

import (
	"errors"
	"strings"
	"testing"
)

// Events from CloudWatch Logs' filter-pattern documentation.
const (
	errArgs   = `[ERROR 400] BAD REQUEST: Invalid arguments`
	errExit   = `[ERROR 401] UNAUTHORIZED REQUEST: Exiting`
	warnLine  = `[WARN] Failed to process the request in time`
	infoLine  = `[INFO] request processed`
	apache    = `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534`
	apache404 = `127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /index.html HTTP/1.0" 404 2326`
	apache500 = `192.168.0.7 - - [10/Oct/2000:13:50:35 -0700] "POST /api/orders.html HTTP/1.0" 503 0`
	trail     = `{"eventType":"UpdateTrail","sourceIPAddress":"123.123.123.123","arrayKey":["value","another value"],
	"objectList":[{"name":"a","id":1},{"name":"b","id":2}],"SomeObject":null,"ThisFlag":true,"OtherFlag":false,
	"bandwidth":80,"latency":40,"refreshRate":60,"responseTime":5,"errorCode":400,"number":[1e3],"user":{"id":1,"email":"John.Doe@example.com"},
	"users":[{"id":2,"email":"John.Stiles@example.com"}],"actions":["GET","PUT","DELETE"],"message":"ERROR: disk full","level":"error"}`
	other = `{"eventType":"DeleteTrail","sourceIPAddress":"10.0.0.1","bandwidth":10,"errorCode":"500","ThisFlag":false,"user":{"id":3}}`
)

func TestMatch(t *testing.T) {
	cases := []struct {
		pattern string
		message string
		want    bool
	}{
		// Terms in unstructured text.
		{``, infoLine, true},
		{`   `, errArgs, true},
		{`ERROR`, errArgs, true},
		{`ERROR`, warnLine, false},
		{`ERROR`, `error lowercase`, false},
		{`"ERROR"`, errExit, true},
		{`ERROR ARGUMENTS`, errArgs, false},
		{`ERROR Invalid`, errArgs, true},
		{`ERROR BAD`, errExit, false},
		{`"Failed to process the request"`, warnLine, true},
		{`"Failed to process the request"`, infoLine, false},
		{`?ERROR ?WARN`, errArgs, true},
		{`?ERROR ?WARN`, warnLine, true},
		{`?ERROR ?WARN`, infoLine, false},
		{`ERROR -Exiting`, errArgs, true},
		{`ERROR -Exiting`, errExit, false},
		{`"ERROR" -"Exiting"`, errExit, false},
		{`-ERROR`, infoLine, true},
		{`-ERROR`, errArgs, false},
		{`"[ERROR 400]"`, errArgs, true},
		{`"[ERROR 400]"`, errExit, false},
		{`400`, errArgs, true},
		{`request ?processed ?time`, warnLine, true},
		{`request ?processed ?time`, errArgs, false},
		{`%ERROR 40[01]%`, errExit, true},
		{`%ERROR 40[01]%`, warnLine, false},
		{`%^\[INFO\]%`, infoLine, true},
		{`%^\[INFO\]%`, warnLine, false},
		{`?%WARN% ?%INFO%`, infoLine, true},
		{`-%WARN|INFO%`, errArgs, true},
		{`UNAUTHORIZED`, errExit, true},
		{`"BAD REQUEST" Invalid`, errArgs, true},
		{`ERROR`, trail, true}, // text patterns read JSON events as text
		// JSON: strings.
		{`{ $.eventType = "UpdateTrail" }`, trail, true},
		{`{ $.eventType = "UpdateTrail" }`, other, false},
		{`{$.eventType="UpdateTrail"}`, trail, true},
		{`{ $.eventType = UpdateTrail }`, trail, true},
		{`{ $.eventType != "UpdateTrail" }`, other, true},
		{`{ $.eventType != "UpdateTrail" }`, trail, false},
		{`{ $.eventType = "Update*" }`, trail, true},
		{`{ $.eventType = *Trail }`, other, true},
		{`{ $.eventType = *Bucket* }`, trail, false},
		{`{ $.sourceIPAddress != 123.123.* }`, trail, false},
		{`{ $.sourceIPAddress != 123.123.* }`, other, true},
		{`{ $.sourceIPAddress = 123.123.* }`, trail, true},
		{`{ $.arrayKey[0] = "value" }`, trail, true},
		{`{ $.arrayKey[1] = "value" }`, trail, false},
		{`{ $.arrayKey[1] = "another value" }`, trail, true},
		{`{ $.arrayKey[5] = "value" }`, trail, false},
		{`{ $.objectList[1].id = 2 }`, trail, true},
		{`{ $.objectList[0].id = 2 }`, trail, false},
		{`{ $.objectList[*].name = "b" }`, trail, true},
		{`{ $.actions[*] = "PUT" }`, trail, true},
		{`{ $.actions[*] = "POST" }`, trail, false},
		{`{ $.user.email = "John.Doe@example.com" }`, trail, true},
		{`{ $.user.* = 1 }`, trail, true},
		{`{ $.message = %ERROR: disk% }`, trail, true},
		{`{ $.message = %^WARN% }`, trail, false},
		{`{ $.level != %^err% }`, trail, false},
		{`{ $.missing = "x" }`, trail, false},
		{`{ $.missing != "x" }`, trail, false},
		// JSON: numbers.
		{`{ $.bandwidth > 75 }`, trail, true},
		{`{ $.bandwidth > 75 }`, other, false},
		{`{ $.latency < 50 }`, trail, true},
		{`{ $.refreshRate >= 60 }`, trail, true},
		{`{ $.refreshRate > 60 }`, trail, false},
		{`{ $.responseTime <= 5 }`, trail, true},
		{`{ $.errorCode = 400 }`, trail, true},
		{`{ $.errorCode = 400 }`, other, false}, // "500" is a string
		{`{ $.errorCode != 500 }`, trail, true},
		{`{ $.number[0] = 1e3 }`, trail, true},
		{`{ $.number[0] = 1000 }`, trail, true},
		{`{ $.user.id = 1.0 }`, trail, true},
		{`{ $.eventType > 5 }`, trail, false},
		// JSON: IS, EXISTS.
		{`{ $.SomeObject IS NULL }`, trail, true},
		{`{ $.eventType IS NULL }`, trail, false},
		{`{ $.SomeOtherObject NOT EXISTS }`, trail, true},
		{`{ $.SomeObject NOT EXISTS }`, trail, false},
		{`{ $.SomeObject EXISTS }`, trail, true},
		{`{ $.ThisFlag IS TRUE }`, trail, true},
		{`{ $.ThisFlag IS TRUE }`, other, false},
		{`{ $.ThisFlag IS FALSE }`, other, true},
		{`{ $.OtherFlag IS FALSE }`, trail, true},
		// JSON: && and ||.
		{`{ ($.user.id = 1) && ($.users[0].email = "John.Stiles@example.com") }`, trail, true},
		{`{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "DELETE" }`, trail, true},
		{`{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }`, trail, false},
		{`{ $.user.id = 1 && $.bandwidth > 100 || $.latency < 50 }`, trail, true},
		{`{ $.user.id = 3 || $.user.id = 1 }`, other, true},
		{`{ $.user.id = 3 && ($.bandwidth > 100 || $.eventType = "Delete*") }`, other, true},
		{`{ (($.user.id = 3)) }`, other, true},
		{`{ $.eventType = "UpdateTrail" }`, infoLine, false},
		{`{ $.eventType = "UpdateTrail" }`, `{"eventType": "UpdateTrail"`, false},
		{`{ $.a = "x" }`, `["not", "an", "object"]`, false},
		// Space-delimited.
		{`[ip, user, username, timestamp, request, status_code, bytes]`, apache, true},
		{`[ip, user, username, timestamp, request, status_code, bytes]`, infoLine, false},
		{`[ip, user, username, timestamp, request, status_code = 404, bytes]`, apache404, true},
		{`[ip, user, username, timestamp, request, status_code = 404, bytes]`, apache, false},
		{`[ip, user, username, timestamp, request, status_code = 4*, bytes]`, apache404, true},
		{`[ip, user, username, timestamp, request, status_code = 5*, bytes]`, apache500, true},
		{`[ip, user, username, timestamp, request, status_code >= 400, bytes]`, apache500, true},
		{`[ip, user, username, timestamp, request, status_code >= 400, bytes]`, apache, false},
		{`[ip, user, username, timestamp, request, status_code = 4* || status_code = 5*, bytes]`, apache500, true},
		{`[ip, user, username, timestamp, request, status_code = 4* || status_code = 5*, bytes]`, apache, false},
		{`[ip, user, username, timestamp, request, status_code >= 200 && status_code < 300, bytes]`, apache, true},
		{`[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]`, apache404, true},
		{`[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]`, apache500, false},
		{`[ip, user, username, timestamp, request = "GET /index.html HTTP/1.0", ...]`, apache404, true},
		{`[ip = 127.0.0.1, ...]`, apache, true},
		{`[ip = 127.0.0.1, ...]`, apache500, false},
		{`[ip != 127.0.0.1, ...]`, apache500, true},
		{`[..., status_code = 404, bytes]`, apache404, true},
		{`[..., bytes > 2000]`, apache404, true},
		{`[..., bytes > 2000]`, apache, false},
		{`[ip, ..., bytes = 0]`, apache500, true},
		{`[ip, user, username = frank, ...]`, apache, true},
		{`[ip, user, username = frank, ...]`, apache500, false},
		{`[..., timestamp = *Oct*, ..., status_code = 200, ...]`, apache, true},
		{`[w1 = "ERROR 400", w2, ...]`, errArgs, true},
		{`[level, ...]`, "", false},
		{`[..., last]`, "one", true},
		{`[a, b]`, "one two three", false},
		{`[a, b, c]`, "one  two\tthree", true},
	}
	for _, c := range cases {
		p, err := Compile(c.pattern)
		if err != nil {
			t.Errorf("Compile(%q) = %v", c.pattern, err)
			continue
		}
		if got := p.Match(c.message); got != c.want {
			t.Errorf("Compile(%q).Match(%.40q) = %v; want %v", c.pattern, c.message, got, c.want)
		}
	}
	if len(cases) < 80 {
		t.Errorf("%d cases; keep at least 80", len(cases))
	}
}

func TestCompileErrors(t *testing.T) {
	for _, pattern := range []string{
		`"unterminated`,
		`ERROR ?`,
		`ERR"OR`,
		`"a"b`,
		`%%`,
		`%(%`,
		`{ $.a = }`,
		`{ $.a = "x"`,
		`{ $.a = "x" } trailing`,
		`{ a = "x" }`,
		`{ $.a > "x" }`,
		`{ $.a < abc }`,
		`{ $.a IS MAYBE }`,
		`{ $.a NOT THERE }`,
		`{ $.a }`,
		`{ $ = 1 }`,
		`{ $.a[x] = 1 }`,
		`{ $.a[-1] = 1 }`,
		`{ $..a = 1 }`,
		`{ ($.a = 1 }`,
		`{ $.a = 1 && }`,
		`{ ` + strings.Repeat("(", 40) + `$.a = 1` + strings.Repeat(")", 40) + ` }`,
		`[]`,
		`[a b]`,
		`[a, b`,
		`[a = 1 || c = 2]`,
		`[a > x]`,
		`[a-b]`,
		`[a] more`,
		`[a = ]`,
		strings.Repeat("x", MaxLength+1),
	} {
		_, err := Compile(pattern)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Compile(%q) = %v; want an *Error", pattern, err)
		}
	}
}

func TestExtract(t *testing.T) {
	p, err := Compile(`[ip, ..., status_code = 4*, bytes]`)
	if err != nil {
		t.Fatal(err)
	}
	x := p.(Extractor)
	got, ok := x.Extract(apache404)
	if !ok || got["$ip"] != "127.0.0.1" || got["$status_code"] != "404" || got["$bytes"] != "2326" || len(got) != 3 {
		t.Errorf("Extract = %v, %v", got, ok)
	}
	if _, ok := x.Extract(apache); ok {
		t.Errorf("Extract(200) matched")
	}
}
