package eventpattern

import (
	"fmt"
	"testing"
)

type attributeCase struct {
	policy string
	attrs  map[string]Attribute
	want   bool
}

func str(v string) Attribute { return Attribute{Type: "String", Value: v} }
func num(v string) Attribute { return Attribute{Type: "Number", Value: v} }
func arr(v string) Attribute { return Attribute{Type: "String.Array", Value: v} }

// attributeCases are SNS filter policies on message attributes (SNS DG examples).
var attributeCases = []attributeCase{
	{`{"store":["example_corp"]}`, map[string]Attribute{"store": str("example_corp")}, true},
	{`{"store":["example_corp"]}`, map[string]Attribute{"store": str("other")}, false},
	{`{"store":["example_corp"]}`, map[string]Attribute{}, false},
	{`{"price_usd":[{"numeric":[">=",100]}]}`, map[string]Attribute{"price_usd": num("210.75")}, true},
	{`{"price_usd":[{"numeric":[">=",100]}]}`, map[string]Attribute{"price_usd": num("99.99")}, false},
	{`{"price_usd":[{"numeric":[">=",100]}]}`, map[string]Attribute{"price_usd": str("210.75")}, false},
	{`{"price":[100]}`, map[string]Attribute{"price": num("100.0")}, true},
	{`{"price":[{"anything-but":[100,500]}]}`, map[string]Attribute{"price": Attribute{Type: "Number.Array", Value: "[100, 50]"}}, true},
	{`{"price":[{"anything-but":[100,500]}]}`, map[string]Attribute{"price": num("100")}, false},
	{`{"customer_interests":["rugby","football"]}`, map[string]Attribute{"customer_interests": arr(`["soccer","rugby"]`)}, true},
	{`{"customer_interests":["rugby","football"]}`, map[string]Attribute{"customer_interests": arr(`["soccer","hockey"]`)}, false},
	{`{"customer_interests":["rugby"]}`, map[string]Attribute{"customer_interests": str(`["rugby"]`)}, false},
	{`{"store":[{"exists":true}]}`, map[string]Attribute{"store": str("x")}, true},
	{`{"store":[{"exists":false}]}`, map[string]Attribute{"other": str("x")}, true},
	{`{"store":[{"exists":true}]}`, map[string]Attribute{"store": {Type: "Binary", Value: "AAEC"}}, false},
	{`{"event":[{"prefix":"order-"}]}`, map[string]Attribute{"event": str("order-placed")}, true},
	{`{"event":[{"anything-but":{"prefix":"order-"}}]}`, map[string]Attribute{"event": str("order-placed")}, false},
	{`{"ip":[{"cidr":"10.0.0.0/24"}]}`, map[string]Attribute{"ip": str("10.0.0.8")}, true},
	{`{"$or":[{"a":["1"]},{"b":["2"]}]}`, map[string]Attribute{"b": str("2")}, true},
	{`{"a.b":["1"]}`, map[string]Attribute{"a.b": str("1")}, true},
	{`{"label":["x"]}`, map[string]Attribute{"label": {Type: "String.custom", Value: "x"}}, true},
}

func TestMatchAttributes(t *testing.T) {
	for i, tc := range attributeCases {
		t.Run(fmt.Sprintf("%03d", i), func(t *testing.T) {
			p, err := Compile([]byte(tc.policy), SNSAttributes)
			if err != nil {
				t.Fatalf("Compile(%s) = %v", tc.policy, err)
			}
			if got := p.MatchAttributes(tc.attrs); got != tc.want {
				t.Errorf("Compile(%s).MatchAttributes(%v) = %v; want %v", tc.policy, tc.attrs, got, tc.want)
			}
		})
	}
}

type recordCase struct {
	pattern string
	record  string
	want    bool
}

// recordCases are Lambda SQS filters (Lambda DG "Filtering SQS messages": the body format table).
var recordCases = []recordCase{
	{`{"body":{"RequestCode":["BBBB"]}}`, `{"messageId":"1","body":"{\"RequestCode\":\"BBBB\"}"}`, true},
	{`{"body":{"RequestCode":["BBBB"]}}`, `{"messageId":"1","body":"{\"RequestCode\":\"AAAA\"}"}`, false},
	{`{"body":{"RequestCode":["BBBB"]}}`, `{"messageId":"1","body":"RequestCode BBBB"}`, false},
	{`{"body":["RequestCode BBBB"]}`, `{"messageId":"1","body":"RequestCode BBBB"}`, true},
	{`{"body":[{"prefix":"Request"}]}`, `{"messageId":"1","body":"RequestCode BBBB"}`, true},
	{`{"body":[{"prefix":"{"}]}`, `{"messageId":"1","body":"{\"RequestCode\":\"BBBB\"}"}`, false},
	{`{"attributes":{"ApproximateReceiveCount":["1"]}}`, `{"attributes":{"ApproximateReceiveCount":"1"},"body":"not json"}`, true},
	{`{"attributes":{"ApproximateReceiveCount":["1"]}}`, `{"attributes":{"ApproximateReceiveCount":"1"},"body":"{\"a\":1}"}`, true},
	{`{"body":{"items":{"sku":["x"]}}}`, `{"body":"{\"items\":[{\"sku\":\"y\"},{\"sku\":\"x\"}]}"}`, true},
	{`{"body":{"a":[1]}}`, `{"body":"[{\"a\":1}]"}`, true},
	{`{"body":{"a":[1]}}`, `{"body":"{\"a\":1"}`, false},
	{`{"messageAttributes":{"kind":{"stringValue":["order"]}},"body":{"total":[{"numeric":[">",10]}]}}`, `{"messageAttributes":{"kind":{"stringValue":"order","dataType":"String"}},"body":"{\"total\":12.5}"}`, true},
	{`{"data":{"temp":[{"numeric":[">",30]}]}}`, `{"kinesisSchemaVersion":"1.0","data":"{\"temp\":31}"}`, true},
}

func TestMatchRecord(t *testing.T) {
	for i, tc := range recordCases {
		t.Run(fmt.Sprintf("%03d", i), func(t *testing.T) {
			p, err := Compile([]byte(tc.pattern), Lambda)
			if err != nil {
				t.Fatalf("Compile(%s) = %v", tc.pattern, err)
			}
			e, err := Decode([]byte(tc.record))
			if err != nil {
				t.Fatal(err)
			}
			key := "body"
			if _, ok := e.v.(map[string]any)["data"]; ok {
				key = "data"
			}
			if got := p.MatchRecord(e, key); got != tc.want {
				t.Errorf("Compile(%s).MatchRecord(%s) = %v; want %v", tc.pattern, tc.record, got, tc.want)
			}
		})
	}
}

func TestDataForm(t *testing.T) {
	tests := []struct {
		pattern string
		want    DataForm
	}{
		{`{"attributes":{"x":["1"]}}`, DataAbsent},
		{`{"body":["plain"]}`, DataPlain},
		{`{"body":{"a":["1"]}}`, DataJSON},
		{`{"body.a":["1"]}`, DataJSON},
	}
	for _, tc := range tests {
		if got := MustCompile(tc.pattern, Lambda).DataForm("body"); got != tc.want {
			t.Errorf("Compile(%s).DataForm(body) = %v; want %v", tc.pattern, got, tc.want)
		}
	}
}

func TestMatchBrokerRecord(t *testing.T) {
	p := MustCompile(`{"topic":["orders"],"value":{"kind":["new"]}}`, Lambda)
	tests := []struct {
		record string
		want   bool
	}{
		{`{"topic":"orders","value":"{\"kind\":\"new\"}"}`, true},
		{`{"topic":"orders","value":"{\"kind\":\"old\"}"}`, false},
		{`{"topic":"orders","value":"not json"}`, true}, // metadata only
		{`{"topic":"other","value":"not json"}`, false},
	}
	for _, tc := range tests {
		e, err := Decode([]byte(tc.record))
		if err != nil {
			t.Fatal(err)
		}
		if got := p.MatchBrokerRecord(e, "value"); got != tc.want {
			t.Errorf("MatchBrokerRecord(%s) = %v; want %v", tc.record, got, tc.want)
		}
		if tc.record == `{"topic":"orders","value":"not json"}` && p.MatchRecord(e, "value") {
			t.Errorf("MatchRecord(%s) = true; want false (SQS drops a format mismatch)", tc.record)
		}
	}
}
