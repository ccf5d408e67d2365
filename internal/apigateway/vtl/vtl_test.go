package vtl

import (
	"testing"
)

func vars(body string) map[string]any {
	return map[string]any{
		"input": &Input{Body: body, Path: map[string]string{"id": "7"}, Query: map[string]string{"q": "a b"}, Header: map[string]string{"X-Tag": "t1"}},
		"util":  Util{},
		"context": func() *Map {
			m := NewMap()
			m.Set("requestId", "req-1")
			m.Set("stage", "prod")
			id := NewMap()
			id.Set("sourceIp", "127.0.0.1")
			m.Set("identity", id)
			return m
		}(),
		"stageVariables": map[string]string{"queue": "orders"},
	}
}

// Golden cases: templates and outputs from API Gateway's developer guide ("Mapping template
// examples", "$input variables", "$util variables"), and Velocity's own rules.
var golden = []struct {
	name, tmpl, body, want string
}{
	{"petstore array", `#set($inputRoot = $input.path('$'))
[
#foreach($elem in $inputRoot)
  {
    "description" : "Item $elem.id is a $elem.type.",
    "askingPrice" : $elem.price
  }#if($foreach.hasNext),#end

#end
]`, `[{"id":1,"type":"dog","price":249.99},{"id":2,"type":"cat","price":124.99}]`, `[
  {
    "description" : "Item 1 is a dog.",
    "askingPrice" : 249.99
  },
  {
    "description" : "Item 2 is a cat.",
    "askingPrice" : 124.99
  }
]`},
	{"input.json", `{"name": $input.json('$.name'), "pets": $input.json('$.pets'), "first": $input.json('$.pets[0].a')}`,
		`{"name":"x<y","pets":[{"a":1},{"a":2.5}]}`, `{"name": "x<y", "pets": [{"a":1},{"a":2.5}], "first": 1}`},
	{"input.path size", `$input.path('$.pets').size() $input.path('$.pets[*].a')`, `{"pets":[{"a":1},{"a":2}]}`, `2 [1, 2]`},
	{"params", `$input.params('id') $input.params('q') $input.params('X-Tag') [$input.params('none')] $input.params().path.id`, ``, `7 a b t1 [] 7`},
	{"body", `"$util.escapeJavaScript($input.body)"`, `{"a":"it's"}`, `"{\"a\":\"it\'s\"}"`},
	{"escapeJavaScript", `$util.escapeJavaScript("a/b
é☃")`, ``, `a\/b\n\u00E9\u2603`},
	{"urlEncode", `$util.urlEncode("a b&c=d/é~")`, ``, `a+b%26c%3Dd%2F%C3%A9~`},
	{"base64", `$util.base64Encode("hello") $util.base64Decode("aGVsbG8=")`, ``, `aGVsbG8= hello`},
	{"parseJson", `#set($m = $util.parseJson('{"a":{"b":[1,2]}}'))$m.a.b[1] $m.a.b.size()`, ``, `2 2`},
	{"context", `$context.requestId $context.stage $context.identity.sourceIp $stageVariables.queue`, ``, `req-1 prod 127.0.0.1 orders`},
	{"if elseif else", `#set($n = 5)
#if($n > 10)
big
#elseif($n > 3)
mid
#else
small
#end
done`, ``, "mid\ndone"},
	{"operators", `#if($a == "x" && !$b || $c)yes#{else}no#end #if(2 + 3 * 2 == 8 and 7 % 4 == 3)ok#end`, ``, `no ok`},
	{"undefined references", `$missing $!missing ${missing} $!{missing}.`, ``, `$missing  ${missing} .`},
	{"set map and list", `#set($m = {"k": "v", "n": 2})#set($l = [1, "two", $m.k])$m.k $m.n $l $l.size() $m.keySet()`, ``, `v 2 [1, two, v] 3 [k, n]`},
	{"range and break", `#foreach($i in [1..5])#if($i == 4)#break#end$i,#end`, ``, `1,2,3,`},
	{"velocityCount", `#foreach($x in ["a","b"])$velocityCount:$foreach.index:$x #end`, ``, `1:0:a 2:1:b `},
	{"string methods", `#set($s = "Hello World")$s.length() $s.toUpperCase() $s.substring(0, 5) $s.replaceAll("o", "0") $s.contains("World")`, ``, `11 HELLO WORLD Hello Hell0 W0rld true`},
	{"comments and escapes", "a## gone\nb#* block *#c \\$x \\#set", ``, "abc $x #set"},
	{"sqs order template", `Action=SendMessage&MessageBody=$util.urlEncode($input.body)`, `{"item":"book","qty":2}`,
		`Action=SendMessage&MessageBody=%7B%22item%22%3A%22book%22%2C%22qty%22%3A2%7D`},
	{"set property", `#set($m = {})#set($m.a = 1)#set($m["b"] = 2)$m`, ``, `{a=1, b=2}`},
	{"interpolated string", `#set($who = "world")#set($g = "hello $who!")$g`, ``, `hello world!`},
}

func TestGolden(t *testing.T) {
	for _, tt := range golden {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Render(tt.tmpl, vars(tt.body))
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if got != tt.want {
				t.Errorf("Render =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestSyntaxErrors(t *testing.T) {
	for _, tmpl := range []string{`#if($a)x`, `#foreach($a in $b)`, `#set($a = )`, `#end`, `#* open`, `#set($a = "open)`} {
		if _, err := Parse(tmpl); err == nil {
			t.Errorf("Parse(%q) = nil error; want a syntax error", tmpl)
		}
	}
}

func TestLimits(t *testing.T) {
	if _, err := Render(`#foreach($i in [1..100000000])x#end`, nil); err != ErrLimit {
		t.Errorf("a huge range = %v; want ErrLimit", err)
	}
	if _, err := Render(`#set($s = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")#foreach($i in [1..90000])$s$s$s$s$s#end`, nil); err != ErrLimit {
		t.Errorf("a huge output = %v; want ErrLimit", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, tt := range golden {
		f.Add(tt.tmpl, tt.body)
	}
	f.Fuzz(func(t *testing.T, tmpl, body string) {
		tp, err := Parse(tmpl)
		if err != nil {
			return
		}
		tp.Render(vars(body)) // must not panic or run away
	})
}
