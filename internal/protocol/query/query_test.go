package query

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/service"
)

type tag struct {
	Key, Value string
}

type nested struct {
	Name  string
	Count *int
}

type sample struct {
	QueueName  string
	Delay      int32
	Enabled    *bool
	Blob       []byte
	Names      []string          // Names.member.N
	Attributes map[string]string `query:"Attribute,flat,key=Name,value=Value"` // Attribute.N.Name/Value
	Tags       []tag             `query:"Tag,flat"`                            // Tag.N.Key/Value
	Policy     nested            // Policy.Name
	Entries    map[string]string // Entries.entry.N.key/value
	Ignored    string            `query:"-"`
	Float      float64
	unexported string
}

func TestUnmarshal(t *testing.T) {
	form, _ := url.ParseQuery("QueueName=q1&Delay=5&Enabled=true&Blob=aGk%3D" +
		"&Names.member.2=b&Names.member.1=a&Names.member.10=c" +
		"&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=90&Attribute.2.Name=DelaySeconds&Attribute.2.Value=0" +
		"&Tag.1.Key=team&Tag.1.Value=core&Policy.Name=p&Policy.Count=3" +
		"&Entries.entry.1.key=k&Entries.entry.1.value=v&Ignored=x&Float=1.5")
	var got sample
	if err := Unmarshal(form, &got); err != nil {
		t.Fatal(err)
	}
	three, yes := 3, true
	want := sample{
		QueueName: "q1", Delay: 5, Enabled: &yes, Blob: []byte("hi"), Names: []string{"a", "b", "c"},
		Attributes: map[string]string{"VisibilityTimeout": "90", "DelaySeconds": "0"},
		Tags:       []tag{{"team", "core"}}, Policy: nested{Name: "p", Count: &three},
		Entries: map[string]string{"k": "v"}, Float: 1.5,
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(sample{})); diff != "" {
		t.Errorf("Unmarshal mismatch (-want +got):\n%s", diff)
	}
}

func TestUnmarshalErrors(t *testing.T) {
	for _, q := range []string{"Delay=five", "Delay=99999999999", "Enabled=maybe", "Blob=!!", "Names.member.x=1", "Names.member.0=1", "Attribute.1.Value=1", "Float=x"} {
		form, _ := url.ParseQuery(q)
		var s sample
		err := Unmarshal(form, &s)
		if e := awserr.As(err); err == nil || e.Kind != awserr.Validation {
			t.Errorf("Unmarshal(%q) = %v; want a Validation error", q, err)
		}
	}
}

func testService() *service.Service {
	return (&service.Service{Name: "sts", APIVersion: "2011-06-15", XMLNamespace: "https://sts.amazonaws.com/doc/2011-06-15/",
		Operations: []service.Operation{{Name: "GetCallerIdentity"}}}).Index()
}

func TestEncode(t *testing.T) {
	rec := httptest.NewRecorder()
	out := struct{ Arn string }{"arn:aws:iam::1:root"}
	svc := testService()
	Codec{}.Encode(rec, svc, svc.Op("GetCallerIdentity"), &out, "req-1")
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::1:root</Arn></GetCallerIdentityResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`
	if rec.Body.String() != want || rec.Code != 200 || rec.Header().Get("x-amzn-RequestId") != "req-1" {
		t.Errorf("Encode = %d %s; want 200 %s", rec.Code, rec.Body, want)
	}
}

func TestEncodeError(t *testing.T) {
	rec := httptest.NewRecorder()
	code := &awserr.Code{Name: "QueueDoesNotExist", Status: 400, Query: "AWS.SimpleQueueService.NonExistentQueue"}
	Codec{}.EncodeError(rec, testService(), code.Errorf("The specified queue does not exist."), "req-2")
	body := rec.Body.String()
	for _, want := range []string{"<ErrorResponse xmlns=", "<Type>Sender</Type>", "<Code>AWS.SimpleQueueService.NonExistentQueue</Code>",
		"<Message>The specified queue does not exist.</Message>", "<RequestId>req-2</RequestId>"} {
		if !strings.Contains(body, want) {
			t.Errorf("EncodeError body %s lacks %s", body, want)
		}
	}
	if rec.Code != 400 {
		t.Errorf("status %d; want 400", rec.Code)
	}
}

func TestRoute(t *testing.T) {
	svc := testService()
	get := func(q string) error {
		r, _ := http.NewRequest("GET", "/?"+q, nil)
		_, _, err := Codec{}.Route(r, nil, svc)
		return err
	}
	if err := get("Action=GetCallerIdentity&Version=2011-06-15"); err != nil {
		t.Errorf("Route(GET) = %v", err)
	}
	if err := get("Action=Nope"); awserr.As(err).Kind != awserr.UnknownOperation {
		t.Errorf("Route(unknown) = %v; want UnknownOperation", err)
	}
}

// FuzzUnmarshal decodes arbitrary forms into a struct with every supported shape.
func FuzzUnmarshal(f *testing.F) {
	f.Add("QueueName=q&Names.member.1=a&Attribute.1.Name=n&Attribute.1.Value=v&Tag.2.Key=k&Entries.entry.1.key=k&Policy.Count=1")
	f.Add("Names.member.99999999999999999999=a&Delay=-1&Blob=AAAA")
	f.Add("Policy" + strings.Repeat(".Name", 200) + "=x&Tag.1" + strings.Repeat(".1", 200) + "=y&Names.member.1.member.1=z")
	f.Fuzz(func(t *testing.T, raw string) {
		form, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		var s sample
		if err := Unmarshal(form, &s); err != nil {
			if e := awserr.As(err); e.Kind != awserr.Validation {
				t.Fatalf("Unmarshal(%q) = %v; want nil or a Validation error", raw, err)
			}
		}
	})
}

// FuzzForm parses arbitrary bodies and query strings as the router does.
func FuzzForm(f *testing.F) {
	f.Add("Action=GetCallerIdentity", "Version=2011-06-15&x=%20")
	f.Add("%zz", "a=b;c")
	f.Fuzz(func(t *testing.T, rawQuery, body string) {
		r := &http.Request{URL: &url.URL{RawQuery: rawQuery}, Header: http.Header{}}
		if _, err := Form(r, []byte(body)); err != nil && awserr.As(err).Kind != awserr.Malformed {
			t.Fatalf("Form = %v; want nil or Malformed", err)
		}
	})
}

type batchEntry struct {
	Id    string
	Attrs map[string]string `query:"Attr,flat,key=Name,value=Value"`
}

type batch struct {
	Entries []batchEntry `query:"Entry,flat"`
}

// TestUnmarshalManyEntries: finding each entry's parameters walked the whole form, so a form of a
// few thousand entries (the parameter cap is 10,000) cost seconds of CPU before authorization.
func TestUnmarshalManyEntries(t *testing.T) {
	const n = 3000
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "Entry.%d.Id=e&Entry.%d.Attr.1.Name=a&Entry.%d.Attr.1.Value=v&", i, i, i)
	}
	r := &http.Request{URL: &url.URL{}, Header: http.Header{}}
	form, err := Form(r, []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var got batch
	if err := Unmarshal(form, &got); err != nil || len(got.Entries) != n || got.Entries[n-1].Attrs["a"] != "v" {
		t.Fatalf("Unmarshal = %v, %d entries", err, len(got.Entries))
	}
	// A guard against the quadratic walk (seconds), not a speed figure: linear work is milliseconds
	// even under the race detector on a loaded machine.
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Unmarshal of %d entries took %v", n, took)
	}
}

// TestFormTooManyParameters: a form is capped at MaxParameters, answered as a malformed query.
func TestFormTooManyParameters(t *testing.T) {
	r := &http.Request{URL: &url.URL{}, Header: http.Header{}}
	body := strings.Repeat("a=b&", MaxParameters) + "a=b"
	if _, err := Form(r, []byte(body)); awserr.As(err).Kind != awserr.Malformed {
		t.Errorf("Form(%d parameters) = %v; want Malformed", MaxParameters+1, err)
	}
	r = &http.Request{URL: &url.URL{}, Header: http.Header{}}
	if _, err := Form(r, []byte(strings.Repeat("a=b&", MaxParameters-1)+"a=b")); err != nil {
		t.Errorf("Form(%d parameters) = %v", MaxParameters, err)
	}
}
