package s3

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/gureum/gureum/internal/protocol/restxml"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/sigv4"
	"github.com/gureum/gureum/internal/store"
)

// Browsers send S3 two kinds of request that are no operation of the API: CORS preflights
// (OPTIONS, answered from the bucket's CORS rules) and HTML form uploads (POST of
// multipart/form-data to the bucket, PostObject, authorized by a signed POST policy or, without
// one, by the bucket's public grants). Browser serves them in front of the router.

// Authorizer decides a signed caller's checks, as the router's authorizer does (PostObject's
// signature is in its form, so the router cannot).
type Authorizer interface {
	Authorize(ctx context.Context, p *request.Principal, checks []service.Check, cond service.Conditions) error
}

// Browser returns a handler that serves CORS preflights and form uploads addressed to a bucket
// and hands every other request to next. Requests for the data-plane endpoints (their host
// patterns, or paths under /_gureum/) always go to next.
func (s *Service) Browser(next http.Handler, endpoints []service.Endpoint) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		preflight := r.Method == http.MethodOptions
		form := r.Method == http.MethodPost && isForm(r) && r.URL.RawQuery == ""
		if !(preflight || form) || strings.HasPrefix(r.URL.Path, "/_gureum/") || claimed(r.Host, endpoints) {
			next.ServeHTTP(w, r)
			return
		}
		bucket, key := browserTarget(r)
		info := &request.Info{ID: request.NewID(), Region: s.region, Host: r.Host, Path: r.URL.Path, Service: "s3"}
		ctx := request.With(r.Context(), info)
		w.Header().Set("x-amz-request-id", info.ID)
		w.Header().Set("x-amz-id-2", info.ID)
		var err error
		if preflight {
			info.Operation = "PreflightRequest"
			err = s.preflight(ctx, w, r, bucket)
		} else {
			info.Operation = "PostObject"
			err = s.postObject(ctx, w, r, bucket, key)
		}
		if err != nil {
			restxml.Codec{}.EncodeError(w, nil, err, info.ID)
		}
	})
}

func isForm(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}

// claimed reports whether a data-plane endpoint's host pattern takes host.
func claimed(host string, endpoints []service.Endpoint) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	for _, ep := range endpoints {
		if ep.Host != "" && len(host) > len(ep.Host)-1 && strings.EqualFold(host[len(host)-len(ep.Host)+1:], ep.Host[1:]) {
			return true
		}
	}
	return false
}

// browserTarget reads the bucket and key of a request, virtual-hosted or path-style, as the
// router addresses S3.
func browserTarget(r *http.Request) (bucket, key string) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if net.ParseIP(host) == nil {
		switch b, ok := strings.CutSuffix(host, ".localhost"); {
		case ok && b != "":
			bucket = b
		case strings.Contains(host, ".s3."):
			bucket = host[:strings.Index(host, ".s3.")]
		case strings.Contains(host, ".s3-"):
			bucket = host[:strings.Index(host, ".s3-")]
		}
	}
	path := strings.TrimPrefix(r.URL.Path, "/")
	if bucket != "" {
		return bucket, path
	}
	bucket, key, _ = strings.Cut(path, "/")
	return bucket, key
}

// preflight answers a CORS preflight from the bucket's CORS rules: the first rule that allows
// the origin, the method and every requested header.
func (s *Service) preflight(ctx context.Context, w http.ResponseWriter, r *http.Request, bucket string) error {
	origin, method := r.Header.Get("Origin"), r.Header.Get("Access-Control-Request-Method")
	if origin == "" {
		return ErrBadRequest.Errorf("Insufficient information. Origin request header needed.")
	}
	if method == "" {
		return ErrBadRequest.Errorf("Invalid Access-Control-Request-Method: null")
	}
	b, err := s.store.Bucket(ctx, bucket)
	if errors.Is(err, store.ErrNotFound) {
		return noSuchBucket(bucket)
	}
	if err != nil {
		return err
	}
	var c corsConfiguration
	if doc := b.Configs["cors"]; doc == "" || xml.Unmarshal([]byte(doc), &c) != nil {
		return ErrAccessForbidden.Errorf("CORSResponse: CORS is not enabled for this bucket.").With("Method", method).With("ResourceType", "BUCKET")
	}
	var asked []string
	for _, h := range strings.Split(r.Header.Get("Access-Control-Request-Headers"), ",") {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			asked = append(asked, h)
		}
	}
	for _, rule := range c.Rules {
		if !rule.allows(origin, method) || !rule.allowsHeaders(asked) {
			continue
		}
		h := w.Header()
		corsHeaders(b, http.Header{"Origin": {origin}}, method, h)
		if len(asked) > 0 {
			h.Set("Access-Control-Allow-Headers", strings.Join(asked, ", "))
		}
		w.WriteHeader(http.StatusOK)
		return nil
	}
	return ErrAccessForbidden.Errorf("CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.").
		With("Method", method).With("ResourceType", "OBJECT")
}

// allowsHeaders reports whether every requested header matches one of the rule's AllowedHeader
// patterns (case-insensitive, at most one '*').
func (r corsRule) allowsHeaders(asked []string) bool {
	for _, a := range asked {
		ok := false
		for _, p := range r.AllowedHeaders {
			ok = ok || wildcardMatch(strings.ToLower(p), a)
		}
		if !ok {
			return false
		}
	}
	return true
}

// postObject stores the file of an HTML form upload.
func (s *Service) postObject(ctx context.Context, w http.ResponseWriter, r *http.Request, bucket, key string) error {
	form, file, err := readForm(r)
	if err != nil {
		return err
	}
	defer file.Close()
	if form.get("key") == "" {
		return invalidArgument("Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.", "key", "")
	}
	key = strings.ReplaceAll(form.get("key"), "${filename}", file.name)
	minSize, maxSize := int64(0), int64(MaxPutSize)
	if form.get("policy") != "" {
		p, err := s.checkPolicy(ctx, form, bucket, key)
		if err != nil {
			return err
		}
		minSize, maxSize = p.minSize, p.maxSize
		ctx = request.With(ctx, withPrincipal(request.From(ctx), p.principal))
		if err := s.authorizePost(ctx, p.principal, bucket, key); err != nil {
			return err
		}
	} else {
		keys, h := map[string][]string{}, form.headers("")
		for k, name := range headerKeys {
			if v := h.Get(name); v != "" {
				keys[k] = []string{v}
			}
		}
		if err := s.anonymousAllowed(s.dataPlaneContext(ctx, r, keys), "s3:PutObject", "arn:aws:s3:::"+bucket+"/"+key, nil); err != nil {
			return err
		}
	}
	request.From(ctx).Operation = "PutObject"
	out, err := s.putObject(ctx, &PutObjectInput{Bucket: bucket, Key: key, Header: form.headers(file.contentType),
		Body: &sizeCheck{r: file, min: minSize, max: maxSize}}, "ObjectCreated:Post")
	if err != nil {
		return err
	}
	return postResponse(w, r, form, out.Header, bucket, key)
}

func withPrincipal(info *request.Info, p *request.Principal) *request.Info {
	c := *info
	c.Principal = p
	return &c
}

// authorizePost asks the authorizer whether the policy's signer may put the object.
func (s *Service) authorizePost(ctx context.Context, p *request.Principal, bucket, key string) error {
	checks := []service.Check{{Action: "s3:PutObject", Resource: "arn:aws:s3:::" + bucket + "/" + key}}
	if s.deps.Authorizer == nil {
		owner, _, err := s.resourcePolicy(ctx, checks[0].Resource)
		if err != nil || owner != "" && owner != p.Account {
			return errors.Join(err, accessDenied())
		}
		return nil
	}
	return s.deps.Authorizer.Authorize(ctx, p, checks, postConditions{s})
}

// postConditions is a form upload's condition context: S3's bucket policies and no request keys.
type postConditions struct{ s *Service }

func (postConditions) Lookup(string) ([]string, bool) { return nil, false }

func (c postConditions) ResourcePolicies() service.ResourcePolicyFunc { return c.s.resourcePolicy }

// postResponse answers a stored upload as the form asks: a redirect, or the status it names
// (204 by default; 201 with a PostResponse document).
func postResponse(w http.ResponseWriter, r *http.Request, form formFields, h http.Header, bucket, key string) error {
	etag := h.Get("Etag")
	location := "http://" + r.Host + "/" + bucket + "/" + url.PathEscape(key)
	for k, v := range h {
		w.Header()[k] = v
	}
	w.Header().Set("Location", location)
	if to := form.get("success_action_redirect"); to != "" || form.get("redirect") != "" {
		if to == "" {
			to = form.get("redirect")
		}
		if u, err := url.Parse(to); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			q := u.Query()
			q.Set("bucket", bucket)
			q.Set("key", key)
			q.Set("etag", etag)
			u.RawQuery = q.Encode()
			w.Header().Set("Location", u.String())
			w.WriteHeader(http.StatusSeeOther)
			return nil
		}
	}
	switch form.get("success_action_status") {
	case "200":
		w.WriteHeader(http.StatusOK)
	case "201":
		doc, _ := xml.Marshal(struct {
			XMLName  xml.Name `xml:"PostResponse"`
			Location string   `xml:"Location"`
			Bucket   string   `xml:"Bucket"`
			Key      string   `xml:"Key"`
			ETag     string   `xml:"ETag"`
		}{Location: location, Bucket: bucket, Key: key, ETag: etag})
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, xml.Header)
		w.Write(doc)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
	return nil
}

// sizeCheck enforces a policy's content-length-range on the file as it streams: beyond max it
// fails at once, below min at the end, so the object is never committed.
type sizeCheck struct {
	r        io.Reader
	min, max int64
	n        int64
}

func (c *sizeCheck) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.max {
		return n, ErrEntityTooLarge.Errorf("Your proposed upload exceeds the maximum allowed size")
	}
	if err == io.EOF && c.n < c.min {
		return n, ErrEntityTooSmall.Errorf("Your proposed upload is smaller than the minimum allowed size")
	}
	return n, err
}

// postPolicyOf reads the signature fields of a form.
func postPolicyOf(f formFields) sigv4.PostPolicy {
	return sigv4.PostPolicy{Policy: f.get("policy"), Credential: f.get("x-amz-credential"), Date: f.get("x-amz-date"),
		Signature: f.get("x-amz-signature"), Token: f.get("x-amz-security-token")}
}
