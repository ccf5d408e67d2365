package restjson

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/service"
)

type invokeInput struct {
	FunctionName string `rest:"uri=FunctionName" json:"-"`
	Qualifier    string `rest:"query=Qualifier" json:"-"`
	LogType      string `rest:"header=X-Amz-Log-Type" json:"-"`
	Payload      []byte `rest:"payload"`
}

type createInput struct {
	FunctionName string
	MemorySize   int
	Tags         map[string]string
}

type createOutput struct {
	FunctionName string
	Status       int    `rest:"status" json:"-"`
	RequestID    string `rest:"header=X-Custom" json:"-"`
}

func lambdaLike() *service.Service {
	return (&service.Service{Name: "lambda", Protocol: service.RESTJSON, Operations: []service.Operation{
		{Name: "Invoke", Route: service.Route{Method: "POST", Path: "/2015-03-31/functions/{FunctionName}/invocations"}},
		{Name: "CreateFunction", Route: service.Route{Method: "POST", Path: "/2015-03-31/functions"}},
	}}).Index()
}

func TestRouteAndDecode(t *testing.T) {
	r, _ := http.NewRequest("POST", "http://h/2015-03-31/functions/f1/invocations?Qualifier=live", nil)
	r.Header.Set("X-Amz-Log-Type", "Tail")
	op, labels, err := Codec{}.Route(r, nil, lambdaLike())
	if err != nil || op.Name != "Invoke" {
		t.Fatalf("Route = %v, %v", op, err)
	}
	var in invokeInput
	if err := (Codec{}).Decode(r, []byte(`{"k":1}`), labels, &in); err != nil {
		t.Fatal(err)
	}
	if in.FunctionName != "f1" || in.Qualifier != "live" || in.LogType != "Tail" || string(in.Payload) != `{"k":1}` {
		t.Errorf("Decode = %+v", in)
	}
	var cin createInput
	if err := (Codec{}).Decode(r, []byte(`{"FunctionName":"f","MemorySize":128,"Tags":{"a":"b"}}`), nil, &cin); err != nil || cin.MemorySize != 128 {
		t.Errorf("Decode(members) = %+v, %v", cin, err)
	}
	if err := (Codec{}).Decode(r, []byte(`{"MemorySize":"big"}`), nil, &cin); awserr.As(err).Kind != awserr.Malformed {
		t.Errorf("Decode(bad) = %v; want Malformed", err)
	}
	r, _ = http.NewRequest("DELETE", "http://h/nowhere", nil)
	if _, _, err := (Codec{}).Route(r, nil, lambdaLike()); awserr.As(err).Kind != awserr.UnknownOperation {
		t.Errorf("Route(unknown) = %v", err)
	}
}

func TestEncode(t *testing.T) {
	rec := httptest.NewRecorder()
	Codec{}.Encode(rec, lambdaLike(), nil, &createOutput{FunctionName: "f", Status: 201, RequestID: "x"}, "rid")
	if rec.Code != 201 || rec.Header().Get("X-Custom") != "x" || strings.TrimSpace(rec.Body.String()) != `{"FunctionName":"f"}` {
		t.Errorf("Encode = %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
}

func TestEncodeError(t *testing.T) {
	rec := httptest.NewRecorder()
	code := &awserr.Code{Name: "ResourceNotFoundException", Status: 404}
	Codec{}.EncodeError(rec, nil, code.Errorf("Function not found"), "rid")
	var body map[string]string
	json.Unmarshal(rec.Body.Bytes(), &body)
	if rec.Code != 404 || rec.Header().Get("x-amzn-ErrorType") != "ResourceNotFoundException" || body["message"] != "Function not found" {
		t.Errorf("EncodeError = %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add("/2015-03-31/functions/f/invocations", []byte(`{"a":1}`))
	f.Add("/2015-03-31/functions", []byte(`{"FunctionName":"f","MemorySize":-1}`))
	f.Add("/2015-03-31/functions", []byte(`{"Tags":`+strings.Repeat(`{"a":[`, 120)))
	f.Fuzz(func(t *testing.T, path string, body []byte) {
		r, err := http.NewRequest("POST", "http://h/", nil)
		if err != nil {
			return
		}
		r.URL.Path = path
		op, labels, err := Codec{}.Route(r, body, lambdaLike())
		if err != nil {
			return
		}
		var in any = &invokeInput{}
		if op.Name == "CreateFunction" {
			in = &createInput{}
		}
		if err := (Codec{}).Decode(r, body, labels, in); err != nil && awserr.As(err).Kind != awserr.Malformed && awserr.As(err).Kind != awserr.InvalidText {
			t.Fatalf("Decode = %v", err)
		}
	})
}

// TestDecodeDeepNesting: a body nested deeper than the limit is refused before the decoder recurses.
func TestDecodeDeepNesting(t *testing.T) {
	for _, n := range []int{101, 1_000_000, 2_000_000} {
		r, _ := http.NewRequest("POST", "http://h/2015-03-31/functions", nil)
		body := []byte(`{"Tags":` + strings.Repeat("[", n))
		if err := (Codec{}).Decode(r, body, nil, &createInput{}); awserr.As(err).Kind != awserr.Malformed {
			t.Errorf("Decode(depth %d) = %v; want Malformed", n, err)
		}
	}
}
