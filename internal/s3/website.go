package s3

import (
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gureum/gureum/internal/router"
	"github.com/gureum/gureum/internal/store"
)

// WebsitePrefix is the path form of website hosting, for clients that cannot set a Host:
// /_gureum/s3-website/<bucket>/<key>.
const WebsitePrefix = router.DataPlanePrefix + "s3-website/"

// Endpoints are S3's data-plane entries: static website hosting at
// http://<bucket>.s3-website.localhost:<port>/ and under WebsitePrefix.
func (s *Service) Endpoints() []router.Endpoint {
	return []router.Endpoint{{Name: "s3-website", Host: "*.s3-website.localhost", Prefix: WebsitePrefix, Handler: http.HandlerFunc(s.website)}}
}

// websiteTarget reads the bucket and key a website request names.
func websiteTarget(r *http.Request) (bucket, key string) {
	if rest, ok := strings.CutPrefix(r.URL.Path, WebsitePrefix); ok {
		bucket, key, _ = strings.Cut(rest, "/")
		return bucket, key
	}
	host := r.Host
	if i := strings.LastIndexByte(host, ':'); i > 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	bucket, _, _ = strings.Cut(host, ".s3-website.")
	return bucket, strings.TrimPrefix(r.URL.Path, "/")
}

// website serves a bucket's website as S3 does: anonymous, each key decided as the REST endpoint
// decides an anonymous GetObject (websiteReadable), with the index document for directories,
// redirects (RedirectAllRequestsTo before any decision, as it reads no object), and the error
// document with its status.
func (s *Service) website(w http.ResponseWriter, r *http.Request) {
	bucket, key := websiteTarget(r)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		websiteError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
		return
	}
	b, err := s.store.Bucket(r.Context(), bucket)
	if err != nil {
		websiteError(w, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
		return
	}
	var wc websiteConfiguration
	if doc := b.Configs["website"]; doc == "" || xml.Unmarshal([]byte(doc), &wc) != nil {
		websiteError(w, http.StatusNotFound, "NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration")
		return
	}
	if redirectEverything(w, r, wc, key) {
		return
	}
	asked := key
	if key == "" || strings.HasSuffix(key, "/") {
		key += wc.IndexDocument.Suffix
	}
	if !s.websiteReadable(r, bucket, key) {
		s.websiteFail(w, r, b, wc, asked, http.StatusForbidden)
		return
	}
	if routingRedirect(w, r, wc, asked, 0) {
		return
	}
	o, err := s.store.Object(r.Context(), bucket, key, "")
	if err == nil && !o.DeleteMarker {
		s.serveObject(w, r, b, o, http.StatusOK)
		return
	}
	if idx, ierr := s.store.Object(r.Context(), bucket, key+"/"+wc.IndexDocument.Suffix, ""); ierr == nil && !idx.DeleteMarker {
		http.Redirect(w, r, "/"+key+"/", http.StatusFound)
		return
	}
	// A missing key is NoSuchKey only to a caller who may list the bucket; to others S3 does
	// not say whether it exists (AccessDenied), as on the REST endpoint.
	status := http.StatusForbidden
	if s.websiteListable(r, bucket) {
		status = http.StatusNotFound
	}
	s.websiteFail(w, r, b, wc, key, status)
}

// websiteFail answers a 403 or 404 as S3's website endpoint does: a routing rule for the status
// redirects; else the error document, when the caller may read it, is served with the status;
// else S3's own error page.
func (s *Service) websiteFail(w http.ResponseWriter, r *http.Request, b store.Bucket, wc websiteConfiguration, key string, status int) {
	if routingRedirect(w, r, wc, key, status) {
		return
	}
	if wc.ErrorDocument != nil && s.websiteReadable(r, b.Name, wc.ErrorDocument.Key) {
		if eo, err := s.store.Object(r.Context(), b.Name, wc.ErrorDocument.Key, ""); err == nil && !eo.DeleteMarker {
			s.serveObject(w, r, b, eo, status)
			return
		}
	}
	if status == http.StatusForbidden {
		websiteError(w, status, "AccessDenied", "Access Denied")
		return
	}
	websiteError(w, status, "NoSuchKey", "The specified key does not exist.")
}

func (s *Service) serveObject(w http.ResponseWriter, r *http.Request, b store.Bucket, o store.Object, status int) {
	h := w.Header()
	for k, v := range objectHeaders(b, o) {
		h[k] = v
	}
	h.Set("Content-Length", strconv.FormatInt(o.Size, 10))
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	body := s.openData(r.Context(), o, 0, o.Size)
	defer body.Close()
	io.Copy(w, body)
}

func redirectEverything(w http.ResponseWriter, r *http.Request, wc websiteConfiguration, key string) bool {
	to := wc.RedirectAllRequestsTo
	if to == nil {
		return false
	}
	proto := to.Protocol
	if proto == "" {
		proto = "http"
	}
	http.Redirect(w, r, proto+"://"+to.HostName+"/"+key, http.StatusMovedPermanently)
	return true
}

// routingRedirect applies the first routing rule whose condition holds for key and status (0:
// before the object is looked up, so only rules without an error-code condition apply).
func routingRedirect(w http.ResponseWriter, r *http.Request, wc websiteConfiguration, key string, status int) bool {
	for _, rule := range wc.RoutingRules {
		c := rule.Condition
		if c != nil && c.KeyPrefixEquals != "" && !strings.HasPrefix(key, c.KeyPrefixEquals) {
			continue
		}
		wantCode := c != nil && c.HTTPErrorCodeReturnedEquals != ""
		if wantCode != (status != 0) || wantCode && c.HTTPErrorCodeReturnedEquals != strconv.Itoa(status) {
			continue
		}
		rd := rule.Redirect
		newKey := key
		switch {
		case rd.ReplaceKeyWith != "":
			newKey = rd.ReplaceKeyWith
		case rd.ReplaceKeyPrefixWith != "" || c != nil && c.KeyPrefixEquals != "":
			prefix := ""
			if c != nil {
				prefix = c.KeyPrefixEquals
			}
			newKey = rd.ReplaceKeyPrefixWith + strings.TrimPrefix(key, prefix)
		}
		target := "/" + newKey
		if rd.HostName != "" {
			proto := rd.Protocol
			if proto == "" {
				proto = "http"
			}
			target = proto + "://" + rd.HostName + target
		}
		code := http.StatusMovedPermanently
		if n, err := strconv.Atoi(rd.HTTPRedirectCode); err == nil && n >= 300 && n < 400 {
			code = n
		}
		http.Redirect(w, r, target, code)
		return true
	}
	return false
}

// websiteReadable decides a website request for key as the REST endpoint decides an anonymous
// GetObject: the bucket policy with the request's condition keys, then the bucket's and the
// object's ACLs, under the public-access block (anonymousAllowed).
func (s *Service) websiteReadable(r *http.Request, bucket, key string) bool {
	ctx := s.dataPlaneContext(r.Context(), r, nil)
	objectACL := func() string {
		o, err := s.store.Object(ctx, bucket, key, "")
		if err != nil {
			return ""
		}
		return o.Meta.ACL
	}
	return s.anonymousAllowed(ctx, "s3:GetObject", "arn:aws:s3:::"+bucket+"/"+key, objectACL) == nil
}

// websiteListable reports whether an anonymous caller may list the bucket (s3:ListBucket), as
// the REST endpoint decides it.
func (s *Service) websiteListable(r *http.Request, bucket string) bool {
	ctx := s.dataPlaneContext(r.Context(), r, nil)
	return s.anonymousAllowed(ctx, "s3:ListBucket", "arn:aws:s3:::"+bucket, nil) == nil
}

// websiteError writes S3's website error page.
func websiteError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<html>\n<head><title>%d %s</title></head>\n<body>\n<h1>%d %s</h1>\n<ul>\n<li>Code: %s</li>\n<li>Message: %s</li>\n</ul>\n<hr/>\n</body>\n</html>\n",
		status, http.StatusText(status), status, http.StatusText(status), html.EscapeString(code), html.EscapeString(msg))
}
