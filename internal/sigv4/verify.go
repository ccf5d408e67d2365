package sigv4

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"hash"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
)

// MaxSkew is how far a request's time may be from the server's clock.
const MaxSkew = 15 * time.Minute

// MaxPresignExpiry is the longest X-Amz-Expires a presigned URL may carry (7 days).
const MaxPresignExpiry = 7 * 24 * time.Hour

// Credential is what the key store knows about one access key.
type Credential struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string    // set for temporary credentials; the request must present it
	Expires         time.Time // zero for long-term keys
	Principal       *request.Principal
}

// Keys finds the credential for an access key id. A key it does not know yields an *awserr.Error of
// kind UnknownAccessKey; any other error is a fault of the store.
type Keys interface {
	Credential(ctx context.Context, accessKeyID string) (*Credential, error)
}

// Verifier checks SigV4 signatures. It is safe for concurrent use.
type Verifier struct {
	Keys   Keys
	Region string           // the only region accepted in a credential scope; empty accepts any
	Now    func() time.Time // the clock; time.Now when nil

	mu    sync.Mutex
	cache map[keyID]*signingKey
}

// Options says how one request is verified.
type Options struct {
	Service string // the signing name the scope must carry ("sts", "s3", …)
	// S3 selects S3's rules: single path encoding without normalisation, a required
	// x-amz-content-sha256 header and streamed (aws-chunked) bodies.
	S3 bool
	// Body is the fully read body of a non-streaming request; it is hashed into the signature.
	Body []byte
	// AllowUnsignedTrailer permits STREAMING-UNSIGNED-PAYLOAD-TRAILER (S3 PutObject and UploadPart).
	AllowUnsignedTrailer bool
	// Payload is what the service accepts beside a signed hash of the body (its description's
	// service.Service.Payload): without PayloadUnsigned, UNSIGNED-PAYLOAD is refused; without
	// PayloadStreaming, aws-chunked bodies are.
	Payload service.PayloadModes
	// Checked is Precheck's finding for this request, if it ran: Verify goes on from it instead
	// of parsing the signature material and looking the key up again.
	Checked *Checked
}

// Result is an authenticated request.
type Result struct {
	Credential *Credential
	Region     string
	Service    string
	Presigned  bool
	// Body replaces the request body for S3: it checks the payload hash, chunk signatures and
	// checksums as it is read and fails the final Read when any does not match. Nil otherwise.
	Body *Body
}

// Scope is the parsed credential scope of a signed request.
type Scope struct {
	AccessKeyID, Date, Region, Service string
}

// Signed reports whether the request carries any SigV4 material (header or presigned query).
func Signed(r *http.Request) bool {
	if r.Header.Get("Authorization") != "" {
		return true
	}
	q := r.URL.RawQuery
	return strings.Contains(q, "X-Amz-Signature=") || strings.Contains(q, "X-Amz-Credential=")
}

// ParseScope reads the credential scope without verifying anything, for routing by service name.
// It reads the Authorization header as Verify does, and finds nothing where Verify would refuse it.
func ParseScope(r *http.Request) (Scope, bool) {
	var cred string
	if h := r.Header.Values("Authorization"); len(h) > 0 {
		if len(h) > 1 {
			return Scope{}, false
		}
		_, rest, _ := strings.Cut(h[0], " ")
		f, err := parseAuthFields(rest)
		if err != nil {
			return Scope{}, false
		}
		cred = f.credential
	} else {
		cred = r.URL.Query().Get("X-Amz-Credential")
	}
	return parseScope(cred)
}

func parseScope(cred string) (Scope, bool) {
	var sc Scope
	var ok [4]bool
	rest := cred
	for i, field := range []*string{&sc.AccessKeyID, &sc.Date, &sc.Region, &sc.Service} {
		*field, rest, ok[i] = strings.Cut(rest, "/")
	}
	if !ok[3] || sc.AccessKeyID == "" || rest != terminator {
		return Scope{}, false
	}
	return sc, true
}

func (s Scope) String() string {
	return s.Date + "/" + s.Region + "/" + s.Service + "/" + terminator
}

// signed describes the signature material common to both request forms.
type signed struct {
	scope     Scope
	headers   []string
	signature string
	amzDate   string
	t         time.Time
	token     string
	presigned bool
	expires   time.Duration
}

// Verify authenticates r. On success for S3 requests, r.Body must be replaced by Result.Body.
func (v *Verifier) Verify(ctx context.Context, r *http.Request, opt Options) (*Result, error) {
	s, cred, ok := opt.Checked.of(r, opt)
	if ok {
		// The body may have taken a while to arrive: the time is checked again.
		if err := v.checkTime(s); err != nil {
			return nil, err
		}
	} else {
		var err error
		if s, err = v.parse(r, opt); err != nil {
			return nil, err
		}
		if err := v.checkScope(s, opt); err != nil {
			return nil, err
		}
		if err := v.checkTime(s); err != nil {
			return nil, err
		}
		if cred, err = v.Keys.Credential(ctx, s.scope.AccessKeyID); err != nil {
			return nil, err
		}
		if err := v.checkToken(cred, s); err != nil {
			return nil, err
		}
	}
	mode, payloadHash, err := payloadMode(r, s, opt)
	if err != nil {
		return nil, err
	}
	key := v.signingKey(cred.SecretAccessKey, s.scope)
	scope := s.scope.String()
	if !v.matches(r, s, opt, key, scope, payloadHash, "X-Amz-Signature") &&
		!(s.presigned && s.token != "" && v.matches(r, s, opt, key, scope, payloadHash, "X-Amz-Signature", "X-Amz-Security-Token")) {
		return nil, awserr.New(awserr.SignatureMismatch,
			"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
	}
	res := &Result{Credential: cred, Region: s.scope.Region, Service: s.scope.Service, Presigned: s.presigned}
	if opt.S3 {
		body, err := newBody(r, mode, payloadHash, chain{key: key.key, date: s.amzDate, scope: scope, prev: s.signature})
		if err != nil {
			return nil, err
		}
		res.Body = body
	}
	return res, nil
}

// matches computes the request's signature and compares it with the one presented. A presigned
// URL's canonical query leaves out the parameters in skip; a header-signed request keeps them all.
// The canonical request and the string to sign are built in the pooled HMAC's buffer, not as
// strings (this runs on every request).
func (v *Verifier) matches(r *http.Request, s *signed, opt Options, key *signingKey, scope, payloadHash string, skip ...string) bool {
	if !s.presigned {
		skip = nil
	}
	st := key.get()
	defer key.put(st)
	b, ok := appendCanonicalRequest(st.buf[:0], r, canonicalURI(wirePath(r), opt.S3), canonicalQuery(r.URL.RawQuery, skip...), s.headers, payloadHash)
	if !ok {
		return false
	}
	b = appendStringToSign(b[:0], s.amzDate, scope, sha256.Sum256(b))
	st.buf = b
	st.h.Write(b)
	var got [2 * sha256.Size]byte
	hex.Encode(got[:], st.h.Sum(st.out[:0]))
	return hmac.Equal(got[:], []byte(s.signature))
}

func malformed(msg string) *awserr.Error {
	return awserr.New(awserr.IncompleteSignature, "%s", msg)
}

// presignParams are the query parameters that make a request presigned.
var presignParams = [...]string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders"}

// parse reads the request's signature material, refusing a request that offers it more than once:
// two Authorization headers, a component repeated within one, a presign parameter given twice, or
// header and query authentication together (AWS refuses each; taking the first or the last would
// let a proxy and the verifier see different credentials).
func (v *Verifier) parse(r *http.Request, opt Options) (*signed, error) {
	auths := r.Header.Values("Authorization")
	var q url.Values // nil (no parameters) when the query is empty, as it is for most requests
	if r.URL.RawQuery != "" {
		q = r.URL.Query()
	}
	presigned := false
	for _, k := range presignParams {
		if len(q[k]) > 1 {
			return nil, malformed("Query-string authentication parameters must not be repeated: " + k + ".")
		}
		presigned = presigned || q.Has(k)
	}
	if len(auths) > 0 && presigned {
		return nil, awserr.New(awserr.InvalidRequest, "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified")
	}
	if len(auths) > 1 {
		return nil, malformed("Only one Authorization header is allowed.")
	}
	if len(auths) == 1 && auths[0] != "" {
		return parseHeader(r, auths[0])
	}
	if presigned {
		return parsePresigned(q, opt)
	}
	return nil, awserr.New(awserr.MissingAuth, "Request is missing Authentication Token")
}

// authFields are the components of an Authorization header after its algorithm.
type authFields struct {
	credential, signedHeaders, signature string
}

// parseAuthFields reads "Credential=…, SignedHeaders=…, Signature=…", each exactly once.
func parseAuthFields(rest string) (authFields, error) {
	var f authFields
	var seen [3]bool
	for more := true; more; {
		var field string
		field, rest, more = strings.Cut(rest, ",")
		k, val, ok := strings.Cut(strings.TrimSpace(field), "=")
		if !ok {
			return f, malformed("Authorization header requires each component to be of the form key=value.")
		}
		var i int
		switch k {
		case "Credential":
			i, f.credential = 0, val
		case "SignedHeaders":
			i, f.signedHeaders = 1, val
		case "Signature":
			i, f.signature = 2, val
		default:
			continue
		}
		if seen[i] {
			return f, malformed("Authorization header has more than one '" + k + "' component.")
		}
		seen[i] = true
	}
	if f.credential == "" || f.signedHeaders == "" || f.signature == "" {
		return f, malformed("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.")
	}
	return f, nil
}

func parseHeader(r *http.Request, auth string) (*signed, error) {
	alg, rest, _ := strings.Cut(auth, " ")
	if alg != algorithm {
		if strings.HasPrefix(alg, "AWS4-ECDSA") {
			return nil, awserr.New(awserr.NotImplemented, "SigV4a (AWS4-ECDSA-P256-SHA256) is not supported by this endpoint.")
		}
		return nil, awserr.New(awserr.IncompleteSignature, "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")
	}
	f, err := parseAuthFields(rest)
	if err != nil {
		return nil, err
	}
	s := &signed{headers: strings.Split(f.signedHeaders, ";"), signature: f.signature}
	var ok bool
	if s.scope, ok = parseScope(f.credential); !ok {
		return nil, malformed("Credential should be of the form <access key>/<date>/<region>/<service>/aws4_request.")
	}
	if err := checkSignedHeaders(s.headers); err != nil {
		return nil, err
	}
	if d := r.Header.Get("X-Amz-Date"); d != "" {
		if !contains(s.headers, "x-amz-date") {
			return nil, malformed("The x-amz-date header must be signed.")
		}
		t, ok := parseAmzDate(d)
		if !ok {
			return nil, malformed("X-Amz-Date must be in the ISO8601 basic format (yyyyMMdd'T'HHmmss'Z').")
		}
		s.amzDate, s.t = d, t
	} else if d := r.Header.Get("Date"); d != "" && contains(s.headers, "date") {
		t, err := http.ParseTime(d)
		if err != nil {
			return nil, malformed("The Date header is not a valid HTTP date.")
		}
		s.t = t.UTC()
		s.amzDate = s.t.Format(timeFormat)
	} else {
		return nil, malformed("Authorization header requires existence of either an 'X-Amz-Date' or a 'Date' header.")
	}
	// The token may be signed or, as some SDKs do, added after signing (the suite's
	// post-sts-header-after case); it is compared with the issued one either way.
	s.token = r.Header.Get("X-Amz-Security-Token")
	return s, nil
}

func parsePresigned(q map[string][]string, opt Options) (*signed, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	if get("X-Amz-Algorithm") != algorithm {
		return nil, malformed("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\".")
	}
	s := &signed{presigned: true, signature: get("X-Amz-Signature"), amzDate: get("X-Amz-Date"), token: get("X-Amz-Security-Token")}
	var ok bool
	if s.scope, ok = parseScope(get("X-Amz-Credential")); !ok {
		return nil, malformed("X-Amz-Credential should be of the form <access key>/<date>/<region>/<service>/aws4_request.")
	}
	if s.signature == "" || get("X-Amz-SignedHeaders") == "" {
		return nil, malformed("Query-string authentication requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders and X-Amz-Expires parameters.")
	}
	s.headers = strings.Split(get("X-Amz-SignedHeaders"), ";")
	if err := checkSignedHeaders(s.headers); err != nil {
		return nil, err
	}
	t, ok := parseAmzDate(s.amzDate)
	if !ok {
		return nil, malformed("X-Amz-Date must be in the ISO8601 basic format (yyyyMMdd'T'HHmmss'Z').")
	}
	s.t = t
	// S3 requires X-Amz-Expires; other services (STS presigned for EKS-style tokens, whose Go SDK
	// presigner leaves it out) default to the clock-skew window.
	rawExpires := get("X-Amz-Expires")
	if rawExpires == "" && !opt.S3 {
		rawExpires = strconv.Itoa(int(MaxSkew / time.Second))
	}
	secs, err := strconv.ParseInt(rawExpires, 10, 64)
	switch {
	case err != nil:
		return nil, malformed("X-Amz-Expires should be a number.")
	case secs < 0:
		return nil, malformed("X-Amz-Expires must be non-negative.")
	case time.Duration(secs)*time.Second > MaxPresignExpiry:
		return nil, malformed("X-Amz-Expires must be less than a week (in seconds) that is 604800.")
	}
	s.expires = time.Duration(secs) * time.Second
	return s, nil
}

// checkSignedHeaders requires a sorted, lower-case list that includes host.
func checkSignedHeaders(h []string) error {
	for i, name := range h {
		if name == "" || name != strings.ToLower(name) || (i > 0 && h[i-1] >= name) {
			return malformed("SignedHeaders must be a sorted, lower-case, semicolon-separated list.")
		}
	}
	if !contains(h, "host") {
		return malformed("The host header must be signed.")
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v *Verifier) checkScope(s *signed, opt Options) error {
	if s.scope.Date != s.amzDate[:8] {
		return malformed("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.").
			With("Region", v.Region)
	}
	if opt.Service != "" && s.scope.Service != opt.Service {
		return malformed("Credential should be scoped to correct service: '" + opt.Service + "'.")
	}
	if v.Region != "" && s.scope.Region != v.Region {
		return malformed("The authorization header is malformed; the region '"+s.scope.Region+"' is wrong; expecting '"+v.Region+"'").
			With("Region", v.Region)
	}
	return nil
}

func (v *Verifier) checkTime(s *signed) error {
	now := v.now()
	if s.presigned {
		if s.t.Sub(now) > MaxSkew {
			return awserr.New(awserr.RequestExpired, "Request is not yet valid")
		}
		if now.After(s.t.Add(s.expires)) {
			return awserr.New(awserr.RequestExpired, "Request has expired").
				With("Expires", s.t.Add(s.expires).UTC().Format(time.RFC3339)).
				With("ServerTime", now.UTC().Format(time.RFC3339))
		}
		return nil
	}
	if d := now.Sub(s.t); d > MaxSkew || d < -MaxSkew {
		return awserr.New(awserr.RequestTimeTooSkewed,
			"Signature expired: %s is now earlier than %s (%s - 15 min.)", s.amzDate,
			now.Add(-MaxSkew).UTC().Format(timeFormat), now.UTC().Format(timeFormat)).
			With("RequestTime", s.t.Format(time.RFC1123)).
			With("ServerTime", now.UTC().Format(time.RFC3339)).
			With("MaxAllowedSkewMilliseconds", "900000")
	}
	return nil
}

func (v *Verifier) checkToken(cred *Credential, s *signed) error {
	switch {
	case cred.SessionToken == "" && s.token != "":
		return awserr.New(awserr.InvalidToken, "The security token included in the request is invalid.")
	case cred.SessionToken != "" && s.token == "":
		return awserr.New(awserr.InvalidToken, "The security token included in the request is invalid.")
	case cred.SessionToken != "" && subtle.ConstantTimeCompare([]byte(cred.SessionToken), []byte(s.token)) != 1:
		return awserr.New(awserr.InvalidToken, "The security token included in the request is invalid.")
	}
	if !cred.Expires.IsZero() && v.now().After(cred.Expires) {
		return awserr.New(awserr.ExpiredToken, "The security token included in the request is expired")
	}
	return nil
}

// payloadMode decides the payload hash that goes into the canonical request, holding the request
// to the payload modes its service accepts.
func payloadMode(r *http.Request, s *signed, opt Options) (mode, hash string, err error) {
	declared := r.Header.Get("X-Amz-Content-Sha256")
	if s.presigned {
		declared = r.URL.Query().Get("X-Amz-Content-Sha256")
		if declared == "" && opt.S3 {
			declared = unsignedBody
		}
	}
	if declared == unsignedBody && opt.Payload&service.PayloadUnsigned == 0 {
		// AWS signs the body's hash for such a service whatever the header says, so a signature
		// made over UNSIGNED-PAYLOAD does not match.
		return "", "", awserr.New(awserr.SignatureMismatch,
			"The request signature we calculated does not match the signature you provided. This service requires the body's SHA-256 to be signed; UNSIGNED-PAYLOAD is not accepted.")
	}
	if strings.HasPrefix(declared, "STREAMING-") && opt.Payload&service.PayloadStreaming == 0 {
		return "", "", awserr.New(awserr.InvalidRequest, "x-amz-content-sha256 must be the SHA-256 of the body for this service; streaming payloads are not accepted.")
	}
	if !opt.S3 {
		return bodyHash(declared, opt.Body)
	}
	switch {
	case declared == "":
		return "", "", awserr.New(awserr.InvalidRequest, "Missing required header for this request: x-amz-content-sha256")
	case declared == unsignedBody:
		return unsignedBody, declared, nil
	case isHexSHA256(declared):
		return "hash", strings.ToLower(declared), nil
	case declared == streamSigned || declared == streamSignedT:
		if s.presigned {
			return "", "", awserr.New(awserr.InvalidRequest, "Streaming payloads cannot be presigned.")
		}
		return declared, declared, nil
	case declared == streamUnsignT:
		if !opt.AllowUnsignedTrailer {
			return "", "", awserr.New(awserr.InvalidRequest, "STREAMING-UNSIGNED-PAYLOAD-TRAILER is only accepted by PutObject and UploadPart.")
		}
		return declared, declared, nil
	case strings.HasPrefix(declared, streamECDSA):
		return "", "", awserr.New(awserr.NotImplemented, "SigV4a streaming payloads are not supported by this endpoint.")
	}
	return "", "", awserr.New(awserr.Validation, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.")
}

// bodyHash is the payload hash of a fully read body (every service but S3): the body's own, which a
// declared hash must equal.
func bodyHash(declared string, body []byte) (mode, hash string, err error) {
	actual := hashHex(body)
	switch {
	case declared == "":
		return "hash", actual, nil
	case declared == unsignedBody:
		return unsignedBody, declared, nil
	case isHexSHA256(declared):
		if declared != actual {
			return "", "", awserr.New(awserr.ContentSHA256Mismatch, "The provided 'x-amz-content-sha256' header does not match what was computed.")
		}
		return "hash", declared, nil
	}
	return "", "", awserr.New(awserr.InvalidRequest, "x-amz-content-sha256 must be the SHA-256 of the body for this service.")
}

func isHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

const maxCachedKeys = 4096

// signingKey is a derived SigV4 signing key with HMACs keyed by it, ready for reuse: keying an
// HMAC hashes a block and allocates, and every request signs with one.
type signingKey struct {
	key  []byte
	macs sync.Pool // of *macState
}

// macState is one reusable HMAC keyed by a signingKey, with a buffer for what it signs.
type macState struct {
	h   hash.Hash
	buf []byte
	out [sha256.Size]byte
}

func (k *signingKey) get() *macState {
	if st, ok := k.macs.Get().(*macState); ok {
		return st
	}
	return &macState{h: hmac.New(sha256.New, k.key), buf: make([]byte, 0, 1024)}
}

func (k *signingKey) put(st *macState) {
	st.h.Reset()
	if cap(st.buf) <= 64<<10 {
		k.macs.Put(st)
	}
}

// keyID names a cached signing key: the secret and the scope it was derived for.
type keyID struct{ secret, date, region, service string }

func (v *Verifier) signingKey(secret string, sc Scope) *signingKey {
	id := keyID{secret, sc.Date, sc.Region, sc.Service}
	v.mu.Lock()
	defer v.mu.Unlock()
	if k, ok := v.cache[id]; ok {
		return k
	}
	if v.cache == nil || len(v.cache) >= maxCachedKeys {
		v.cache = make(map[keyID]*signingKey)
	}
	k := &signingKey{key: deriveSigningKey(secret, sc.Date, sc.Region, sc.Service)}
	v.cache[id] = k
	return k
}

// parseAmzDate parses X-Amz-Date's ISO 8601 basic format (20060102T150405Z) as time.Parse
// would, without its general layout machinery.
func parseAmzDate(s string) (time.Time, bool) {
	if len(s) != len(timeFormat) || s[8] != 'T' || s[15] != 'Z' {
		return time.Time{}, false
	}
	ok := true
	num := func(from, to int) int {
		n := 0
		for _, c := range []byte(s[from:to]) {
			if c < '0' || c > '9' {
				ok = false
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, month, day := num(0, 4), num(4, 6), num(6, 8)
	hour, minute, sec := num(9, 11), num(11, 13), num(13, 15)
	if !ok || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC)
	if t.Day() != day { // the 31st of a 30-day month, February the 29th of a common year
		return time.Time{}, false
	}
	return t, true
}

var _ io.Reader = (*Body)(nil)
