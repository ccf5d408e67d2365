package s3

import (
	"encoding/json"
	"encoding/xml"
	"github.com/gureum/gureum/internal/iam/policy"
	"strings"
	"time"
)

// The bucket configuration documents S3 validates and stores: CORS, policy, website, lifecycle.

type corsConfiguration struct {
	XMLName xml.Name   `xml:"CORSConfiguration"`
	Rules   []corsRule `xml:"CORSRule"`
}

type corsRule struct {
	ID             string   `xml:"ID,omitempty"`
	AllowedHeaders []string `xml:"AllowedHeader"`
	AllowedMethods []string `xml:"AllowedMethod"`
	AllowedOrigins []string `xml:"AllowedOrigin"`
	ExposeHeaders  []string `xml:"ExposeHeader"`
	MaxAgeSeconds  *int     `xml:"MaxAgeSeconds,omitempty"`
}

func (c *corsConfiguration) validate() error {
	if len(c.Rules) == 0 || len(c.Rules) > 100 {
		return malformedXML()
	}
	for _, r := range c.Rules {
		if len(r.AllowedMethods) == 0 || len(r.AllowedOrigins) == 0 {
			return malformedXML()
		}
		for _, m := range r.AllowedMethods {
			switch m {
			case "GET", "PUT", "HEAD", "POST", "DELETE":
			default:
				return invalidRequest("Found unsupported HTTP method in CORS config. Unsupported method is " + m)
			}
		}
		for _, o := range r.AllowedOrigins {
			if strings.Count(o, "*") > 1 {
				return invalidRequest("AllowedOrigin \"" + o + "\" can not have more than one wildcard.")
			}
		}
	}
	return nil
}

func invalidRequest(msg string) error { return ErrInvalidRequest.Errorf("%s", msg) }

// parsePolicy checks that a bucket policy is a JSON policy document with statements.
func parsePolicy(b []byte) (string, error) {
	var doc struct {
		Version   string          `json:"Version"`
		Statement json.RawMessage `json:"Statement"`
	}
	bad := func(msg string) error { return ErrMalformedPolicy.Errorf("%s", msg) }
	if json.Unmarshal(b, &doc) != nil {
		return "", bad("Policies must be valid JSON and the first byte must be '{'")
	}
	if doc.Version != "" && doc.Version != "2012-10-17" && doc.Version != "2008-10-17" {
		return "", bad("Invalid policy version")
	}
	var stmts []map[string]any
	if json.Unmarshal(doc.Statement, &stmts) != nil {
		var one map[string]any
		if json.Unmarshal(doc.Statement, &one) != nil || one == nil {
			return "", bad("Missing required field Statement")
		}
		stmts = []map[string]any{one}
	}
	for _, st := range stmts {
		if e, _ := st["Effect"].(string); e != "Allow" && e != "Deny" {
			return "", bad("Invalid effect: " + e)
		}
		if st["Action"] == nil && st["NotAction"] == nil {
			return "", bad("Missing required field Action")
		}
		if st["Principal"] == nil && st["NotPrincipal"] == nil {
			return "", bad("Missing required field Principal")
		}
		if st["Resource"] == nil && st["NotResource"] == nil {
			return "", bad("Missing required field Resource")
		}
	}
	if _, err := policy.Parse(string(b), policy.Resource); err != nil {
		return "", bad(err.Error())
	}
	return string(b), nil
}

type websiteConfiguration struct {
	XMLName               xml.Name      `xml:"WebsiteConfiguration"`
	ErrorDocument         *keyDoc       `xml:"ErrorDocument,omitempty"`
	IndexDocument         *suffixDoc    `xml:"IndexDocument,omitempty"`
	RedirectAllRequestsTo *redirectAll  `xml:"RedirectAllRequestsTo,omitempty"`
	RoutingRules          []routingRule `xml:"RoutingRules>RoutingRule,omitempty"`
}

type keyDoc struct {
	Key string `xml:"Key"`
}

type suffixDoc struct {
	Suffix string `xml:"Suffix"`
}

type redirectAll struct {
	HostName string `xml:"HostName"`
	Protocol string `xml:"Protocol,omitempty"`
}

type routingRule struct {
	Condition *struct {
		HTTPErrorCodeReturnedEquals string `xml:"HttpErrorCodeReturnedEquals,omitempty"`
		KeyPrefixEquals             string `xml:"KeyPrefixEquals,omitempty"`
	} `xml:"Condition,omitempty"`
	Redirect struct {
		HostName             string `xml:"HostName,omitempty"`
		HTTPRedirectCode     string `xml:"HttpRedirectCode,omitempty"`
		Protocol             string `xml:"Protocol,omitempty"`
		ReplaceKeyPrefixWith string `xml:"ReplaceKeyPrefixWith,omitempty"`
		ReplaceKeyWith       string `xml:"ReplaceKeyWith,omitempty"`
	} `xml:"Redirect"`
}

func (w *websiteConfiguration) validate() error {
	if w.RedirectAllRequestsTo != nil {
		if w.RedirectAllRequestsTo.HostName == "" || w.IndexDocument != nil || w.ErrorDocument != nil || len(w.RoutingRules) > 0 {
			return invalidArgument("RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.", "RedirectAllRequestsTo", "not empty")
		}
		return nil
	}
	if w.IndexDocument == nil || w.IndexDocument.Suffix == "" {
		return invalidArgument("A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty", "IndexDocument", "null")
	}
	if strings.Contains(w.IndexDocument.Suffix, "/") {
		return invalidArgument("The IndexDocument Suffix is not well formed", "IndexDocument", w.IndexDocument.Suffix)
	}
	for _, r := range w.RoutingRules {
		if r.Redirect.ReplaceKeyPrefixWith != "" && r.Redirect.ReplaceKeyWith != "" {
			return invalidRequest("You can only define ReplaceKeyPrefix or ReplaceKey but not both.")
		}
	}
	return nil
}

type lifecycleConfiguration struct {
	XMLName xml.Name        `xml:"LifecycleConfiguration"`
	Rules   []lifecycleRule `xml:"Rule"`
}

type lifecycleRule struct {
	ID                             string                 `xml:"ID,omitempty"`
	Prefix                         *string                `xml:"Prefix,omitempty"`
	Filter                         *lifecycleFilter       `xml:"Filter,omitempty"`
	Status                         string                 `xml:"Status"`
	Expiration                     *lifecycleExpiration   `xml:"Expiration,omitempty"`
	Transitions                    []lifecycleTransition  `xml:"Transition,omitempty"`
	NoncurrentVersionExpiration    *noncurrentExpiration  `xml:"NoncurrentVersionExpiration,omitempty"`
	NoncurrentVersionTransitions   []noncurrentExpiration `xml:"NoncurrentVersionTransition,omitempty"`
	AbortIncompleteMultipartUpload *struct {
		DaysAfterInitiation int `xml:"DaysAfterInitiation"`
	} `xml:"AbortIncompleteMultipartUpload,omitempty"`
}

type lifecycleFilter struct {
	Prefix                *string       `xml:"Prefix,omitempty"`
	Tag                   *tag          `xml:"Tag,omitempty"`
	ObjectSizeGreaterThan *int64        `xml:"ObjectSizeGreaterThan,omitempty"`
	ObjectSizeLessThan    *int64        `xml:"ObjectSizeLessThan,omitempty"`
	And                   *lifecycleAnd `xml:"And,omitempty"`
}

type lifecycleAnd struct {
	Prefix                *string `xml:"Prefix,omitempty"`
	Tags                  []tag   `xml:"Tag,omitempty"`
	ObjectSizeGreaterThan *int64  `xml:"ObjectSizeGreaterThan,omitempty"`
	ObjectSizeLessThan    *int64  `xml:"ObjectSizeLessThan,omitempty"`
}

type lifecycleExpiration struct {
	Days                      *int    `xml:"Days,omitempty"`
	Date                      *string `xml:"Date,omitempty"`
	ExpiredObjectDeleteMarker *bool   `xml:"ExpiredObjectDeleteMarker,omitempty"`
}

type lifecycleTransition struct {
	Days         *int    `xml:"Days,omitempty"`
	Date         *string `xml:"Date,omitempty"`
	StorageClass string  `xml:"StorageClass"`
}

type noncurrentExpiration struct {
	NoncurrentDays          *int   `xml:"NoncurrentDays,omitempty"`
	NewerNoncurrentVersions *int   `xml:"NewerNoncurrentVersions,omitempty"`
	StorageClass            string `xml:"StorageClass,omitempty"`
}

func (l *lifecycleConfiguration) validate() error {
	if len(l.Rules) == 0 || len(l.Rules) > 1000 {
		return malformedXML()
	}
	ids := map[string]bool{}
	for _, r := range l.Rules {
		if len(r.ID) > 255 {
			return invalidArgument("ID length should not exceed allowed limit of 255", "ID", r.ID)
		}
		if r.ID != "" && ids[r.ID] {
			return invalidArgument("Rule ID must be unique. Found same ID for more than one rule", "ID", r.ID)
		}
		ids[r.ID] = true
		if r.Status != "Enabled" && r.Status != "Disabled" {
			return malformedXML()
		}
		if r.Prefix != nil && r.Filter != nil {
			return malformedXML()
		}
		if err := r.validateActions(); err != nil {
			return err
		}
	}
	return nil
}

func (r *lifecycleRule) validateActions() error {
	if r.Expiration == nil && len(r.Transitions) == 0 && r.NoncurrentVersionExpiration == nil &&
		len(r.NoncurrentVersionTransitions) == 0 && r.AbortIncompleteMultipartUpload == nil {
		return invalidRequest("At least one action needs to be specified in a rule")
	}
	if e := r.Expiration; e != nil {
		set := 0
		for _, b := range []bool{e.Days != nil, e.Date != nil, e.ExpiredObjectDeleteMarker != nil} {
			if b {
				set++
			}
		}
		if set != 1 {
			return malformedXML()
		}
		if e.Days != nil && *e.Days <= 0 {
			return invalidArgument("'Days' for Expiration action must be a positive integer", "Days", "")
		}
		if e.Date != nil {
			t, err := time.Parse(time.RFC3339, *e.Date)
			if err != nil || !t.Equal(t.Truncate(24*time.Hour)) {
				return invalidArgument("'Date' must be at midnight GMT", "Date", *e.Date)
			}
		}
	}
	if n := r.NoncurrentVersionExpiration; n != nil && (n.NoncurrentDays == nil || *n.NoncurrentDays <= 0) {
		return invalidArgument("'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer", "NoncurrentDays", "")
	}
	if a := r.AbortIncompleteMultipartUpload; a != nil && a.DaysAfterInitiation <= 0 {
		return invalidArgument("'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer", "DaysAfterInitiation", "")
	}
	for _, t := range r.Transitions {
		if !storageClasses[t.StorageClass] || t.StorageClass == "STANDARD" {
			return ErrInvalidStorageClass.Errorf("The storage class you specified is not valid")
		}
	}
	return nil
}
