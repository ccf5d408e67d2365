package template

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type fakeResolver map[string]any

func (f fakeResolver) Ref(id string) (any, error) { return f[id], nil }
func (f fakeResolver) GetAtt(id, attr string) (any, error) {
	if v, ok := f[id+"."+attr]; ok {
		return v, nil
	}
	return nil, errorf("no attribute %s.%s", id, attr)
}
func (f fakeResolver) Import(name string) (any, error) {
	if v, ok := f["export:"+name]; ok {
		return v, nil
	}
	return nil, errorf("No export named %s found.", name)
}

const sample = `
Parameters:
  Env: {Type: String, Default: dev}
  Subnets: {Type: CommaDelimitedList}
Mappings:
  Sizes:
    dev: {Memory: 128}
    prod: {Memory: 1024}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
  Both: !And [!Condition NotProd, !Equals [a, a]]
  Either: !Or [!Condition IsProd, {Condition: NotProd}]
Resources:
  Q: {Type: AWS::SQS::Queue}
`

func evaluator(t *testing.T, env string) *Evaluator {
	tpl, err := Parse(sample)
	if err != nil {
		t.Fatal(err)
	}
	return &Evaluator{
		Params:     map[string]any{"Env": env, "Subnets": []any{"a", "b", "c"}},
		Pseudo:     map[string]any{"AWS::Region": "us-east-1", "AWS::AccountId": "000000000000", "AWS::StackName": "s"},
		Mappings:   tpl["Mappings"].(map[string]any),
		Conditions: tpl["Conditions"].(map[string]any),
		Resources:  tpl["Resources"].(map[string]any),
		Resolver:   fakeResolver{"Q": "https://q", "Q.Arn": "arn:q", "export:shared": "v"},
		Region:     "us-east-1",
	}
}

func TestIntrinsics(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"Ref parameter", `!Ref Env`, `"dev"`},
		{"Ref resource", `!Ref Q`, `"https://q"`},
		{"Ref pseudo", `!Ref AWS::Region`, `"us-east-1"`},
		{"GetAtt short", `!GetAtt Q.Arn`, `"arn:q"`},
		{"GetAtt list", `{"Fn::GetAtt": [Q, Arn]}`, `"arn:q"`},
		{"Sub", `!Sub "${AWS::StackName}-${Env}-${Q.Arn}-${!Literal}"`, `"s-dev-arn:q-${Literal}"`},
		{"Sub with map", `!Sub ["${A}/${Env}", {A: !Ref Q}]`, `"https://q/dev"`},
		{"Join", `!Join [",", [a, !Ref Env, 3]]`, `"a,dev,3"`},
		{"Select", `!Select [1, !Ref Subnets]`, `"b"`},
		{"Select string index", `!Select ["2", [x, y, z]]`, `"z"`},
		{"Split", `!Split ["/", "a/b/c"]`, `["a","b","c"]`},
		{"FindInMap", `!FindInMap [Sizes, !Ref Env, Memory]`, `128`},
		{"FindInMap default", `!FindInMap [Sizes, staging, Memory, {DefaultValue: 256}]`, `256`},
		{"Base64", `!Base64 hello`, `"aGVsbG8="`},
		{"GetAZs", `!GetAZs ""`, `["us-east-1a","us-east-1b","us-east-1c"]`},
		{"Cidr", `!Cidr ["10.0.0.0/16", 3, 8]`, `["10.0.0.0/24","10.0.1.0/24","10.0.2.0/24"]`},
		{"Cidr v6", `!Cidr ["2001:db8::/56", 2, 64]`, `["2001:db8::/64","2001:db8:0:1::/64"]`},
		{"If", `!If [IsProd, big, small]`, `"small"`},
		{"If NoValue", `{a: !If [IsProd, 1, !Ref AWS::NoValue], b: 2}`, `{"b":2}`},
		{"NoValue in list", `[1, !Ref AWS::NoValue, 3]`, `[1,3]`},
		{"Condition chain", `[!If [NotProd, y, n], !If [Both, y, n], !If [Either, y, n]]`, `["y","y","y"]`},
		{"ImportValue", `!ImportValue shared`, `"v"`},
		{"Length", `{"Fn::Length": [a, b]}`, `2`},
		{"ToJsonString", `{"Fn::ToJsonString": {k: !Ref Env}}`, `"{\"k\":\"dev\"}"`},
		{"nested", `!Join ["-", !Split [",", !Join [",", !Ref Subnets]]]`, `"a-b-c"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := Parse("X: " + c.yaml)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got, err := evaluator(t, "dev").Eval(v["X"])
			if err != nil {
				t.Fatalf("Eval(%s): %v", c.yaml, err)
			}
			if JSON(got) != c.want {
				t.Errorf("Eval(%s) = %s; want %s", c.yaml, JSON(got), c.want)
			}
		})
	}
}

func TestIntrinsicErrors(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{`!Ref Nope`, "Unresolved resource dependencies [Nope]"},
		{`!GetAtt Nope.Arn`, "undefined resource Nope"},
		{`!Select [5, [a]]`, "cannot select nonexistent value at index 5"},
		{`!FindInMap [Nope, a, b]`, "Mapping named 'Nope' is not present"},
		{`!If [Missing, a, b]`, "Unresolved condition dependency Missing"},
		{`!ImportValue nothing`, "No export named nothing found."},
		{`!Join [",", notalist]`, "Fn::Join"},
		{`!Cidr ["10.0.0.0/30", 4, 8]`, "do not fit"},
		{`{"Fn::Bogus": 1}`, "Unrecognized function Fn::Bogus"},
	}
	for _, c := range cases {
		v, err := Parse("X: " + c.yaml)
		if err != nil {
			t.Fatalf("Parse(%s): %v", c.yaml, err)
		}
		_, err = evaluator(t, "dev").Eval(v["X"])
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Eval(%s) = %v; want an error containing %q", c.yaml, err, c.want)
		}
	}
}

func TestConditionCycle(t *testing.T) {
	e := &Evaluator{Conditions: map[string]any{"A": map[string]any{"Fn::Not": []any{map[string]any{"Condition": "B"}}},
		"B": map[string]any{"Fn::Not": []any{map[string]any{"Condition": "A"}}}}}
	if _, err := e.Condition("A"); err == nil || !strings.Contains(err.Error(), "circular") {
		t.Errorf("Condition(A) with a cycle = %v; want a circular dependency error", err)
	}
}

func TestParseForms(t *testing.T) {
	yamlBody := "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Delay: 5\n      Ratio: 0.5\n      On: true\n      Date: 2012-10-17\n      Name: !Sub '${AWS::StackName}-q'\n"
	jsonBody := `{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"Delay": 5, "Ratio": 0.5, "On": true, "Date": "2012-10-17",
		"Name": {"Fn::Sub": "${AWS::StackName}-q"}}}}}`
	a, err := Parse(yamlBody)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse(jsonBody)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(b, a); diff != "" {
		t.Errorf("YAML and JSON forms differ (-json +yaml):\n%s", diff)
	}
	for _, bad := range []string{"[1, 2]", "a: [", "{\"a\": 1} x", "a: !Bogus x", "a: 1\na: 2"} {
		var e *Error
		if _, err := Parse(bad); !errors.As(err, &e) || !strings.HasPrefix(err.Error(), "Template format error") {
			t.Errorf("Parse(%q) = %v; want a template format error", bad, err)
		}
	}
}

func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 12; i++ {
		b.WriteString("a" + string(rune('a'+i)) + ": &a" + string(rune('a'+i)) + " [")
		prev := "a0"
		if i > 1 {
			prev = "a" + string(rune('a'+i-1))
		}
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*" + prev)
		}
		b.WriteString("]\n")
	}
	if _, err := Parse(b.String()); err == nil {
		t.Error("Parse of a YAML alias bomb succeeded; want it refused")
	}
}

func TestOrder(t *testing.T) {
	got, err := Order(map[string][]string{"C": {"B"}, "B": {"A"}, "A": nil, "D": nil})
	if err != nil || strings.Join(got, "") != "ABCD" {
		t.Errorf("Order = %v, %v; want A B C D", got, err)
	}
	if _, err := Order(map[string][]string{"A": {"B"}, "B": {"A"}}); err == nil || !strings.Contains(err.Error(), "Circular dependency") {
		t.Errorf("Order(cycle) = %v; want a circular dependency", err)
	}
}

func TestRefs(t *testing.T) {
	v, _ := Parse(`X: {a: !Ref A, b: !GetAtt B.Arn, c: !Sub "${C}-${D.Name}-${AWS::Region}-${!E}", d: !Sub ["${F}", {F: !Ref G}]}`)
	got := Refs(v["X"])
	if strings.Join(got, ",") != "A,AWS::Region,B,C,D,G" {
		t.Errorf("Refs = %v", got)
	}
}
