package cloudformation

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
)

// Authorizer decides whether a principal may make a call (the router's authorizer: the IAM
// enforcer, or none when enforcement is off).
type Authorizer interface {
	Authorize(ctx context.Context, p *request.Principal, checks []service.Check, cond service.Conditions) error
}

// caller makes the calls of a stack's operation to the other services in process, through their
// own operation tables: each call is authorized for the stack's principal exactly as the router
// would authorize it, so a stack creates only what its creator may create.
type caller struct {
	services func() []*service.Service
	auth     Authorizer
	region   string
	now      func() time.Time
}

// principal is who a stack's calls are made as, and the Host its creator addressed.
type principal struct {
	Account string
	ARN     string
	UserID  string
	KeyID   string
	Root    bool
	Host    string
}

func (p principal) request() *request.Principal {
	return &request.Principal{Account: p.Account, ARN: p.ARN, UserID: p.UserID, AccessKeyID: p.KeyID, Root: p.Root}
}

// call runs svc's operation op with in: a pointer of the handler's input type, or a map (or any
// value) that is turned into one through JSON, field names being the API's. The output is the
// handler's own.
func (c *caller) call(ctx context.Context, p principal, svc, op string, in any) (any, error) {
	var s *service.Service
	for _, x := range c.services() {
		if x.Name == svc {
			s = x
			break
		}
	}
	if s == nil {
		return nil, fmt.Errorf("the %s service is not served by this gureum", svc)
	}
	o := s.Op(op)
	if o == nil || !o.Implemented() {
		return nil, fmt.Errorf("%s %s is not served by this gureum", svc, op)
	}
	input := o.Handler.NewInput()
	if reflect.TypeOf(in) == reflect.TypeOf(input) {
		input = in
	} else {
		b, err := json.Marshal(in)
		if err == nil {
			err = json.Unmarshal(b, input)
		}
		if err != nil {
			return nil, fmt.Errorf("%s %s: %v", svc, op, err)
		}
		if m, ok := in.(map[string]any); ok {
			setLabels(input, m)
		}
	}
	rp := p.request()
	ctx = request.With(ctx, &request.Info{ID: request.NewID(), Start: c.now(), Region: c.region, Host: p.Host,
		Path: "/", Service: svc, Operation: op, Principal: rp})
	cond := conditions{svc: s, p: rp, now: c.now(), region: c.region}
	if err := c.auth.Authorize(ctx, rp, o.AuthChecks(ctx, input), cond); err != nil {
		return nil, err
	}
	return o.Handler.Call(ctx, input)
}

// callMap is call with the output as a map, through JSON.
func (c *caller) callMap(ctx context.Context, p principal, svc, op string, in any) (map[string]any, error) {
	out, err := c.call(ctx, p, svc, op, in)
	if err != nil {
		return nil, err
	}
	m := map[string]any{}
	if out != nil {
		b, err := json.Marshal(out)
		if err != nil {
			return nil, err
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// conditions is the condition context of a call a stack makes: the request keys that hold for
// it, aws:CalledVia naming CloudFormation, and the called service's resource policies.
type conditions struct {
	svc    *service.Service
	p      *request.Principal
	now    time.Time
	region string
}

func (c conditions) ResourcePolicies() service.ResourcePolicyFunc { return c.svc.ResourcePolicies }

func (c conditions) Lookup(key string) ([]string, bool) {
	switch strings.ToLower(key) {
	case "aws:calledvia", "aws:calledviafirst", "aws:calledvialast":
		return []string{"cloudformation.amazonaws.com"}, true
	case "aws:viaawsservice":
		return []string{"true"}, true
	case "aws:currenttime":
		return []string{c.now.UTC().Format(time.RFC3339)}, true
	case "aws:epochtime":
		return []string{strconv.FormatInt(c.now.Unix(), 10)}, true
	case "aws:requestedregion":
		return []string{c.region}, true
	case "aws:principalarn":
		return []string{c.p.ARN}, true
	case "aws:principalaccount":
		return []string{c.p.Account}, true
	case "aws:securetransport":
		return []string{"false"}, true
	}
	return nil, false
}

// describeError turns a service's error into the words a stack event shows.
func describeError(err error) string {
	code, e := awserr.Resolve(awserr.Query, err)
	if e.Kind == awserr.Internal && e.Code == nil {
		return err.Error()
	}
	return fmt.Sprintf("%s (Service: %s, Status Code: %d)", e.Message, code.QueryCode(), code.Status)
}

// setLabels fills the fields JSON leaves out (REST URI labels and query parameters, tagged
// json:"-") from the map by the field's name or its label's.
func setLabels(input any, m map[string]any) {
	v := reflect.ValueOf(input).Elem()
	if v.Kind() != reflect.Struct {
		return
	}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Tag.Get("json") != "-" || !f.IsExported() {
			continue
		}
		label := f.Tag.Get("rest")
		if _, after, ok := strings.Cut(label, "="); ok {
			label = after
		}
		val, ok := m[f.Name]
		if !ok && label != "" {
			val, ok = m[label]
		}
		if !ok {
			continue
		}
		fv := v.Field(i)
		switch fv.Kind() {
		case reflect.String:
			if s, ok := val.(string); ok {
				fv.SetString(s)
			}
		case reflect.Int, reflect.Int32, reflect.Int64:
			switch n := val.(type) {
			case int:
				fv.SetInt(int64(n))
			case int64:
				fv.SetInt(n)
			}
		case reflect.Bool:
			if b, ok := val.(bool); ok {
				fv.SetBool(b)
			}
		case reflect.Slice:
			if fv.Type().Elem().Kind() == reflect.String {
				switch l := val.(type) {
				case []string:
					fv.Set(reflect.ValueOf(append([]string{}, l...)))
				case []any:
					var out []string
					for _, e := range l {
						if s, ok := e.(string); ok {
							out = append(out, s)
						}
					}
					fv.Set(reflect.ValueOf(out))
				}
			}
			if fv.Type().Elem().Kind() == reflect.Uint8 {
				switch b := val.(type) {
				case []byte:
					fv.SetBytes(b)
				case string:
					fv.SetBytes([]byte(b))
				}
			}
		}
	}
}

// served reports whether a service's operation has a handler here.
func (c *caller) served(svc, op string) bool {
	for _, x := range c.services() {
		if x.Name == svc {
			o := x.Op(op)
			return o != nil && o.Implemented()
		}
	}
	return false
}
