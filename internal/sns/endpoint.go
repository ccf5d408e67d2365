package sns

import (
	"context"
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/gureum/gureum/internal/awserr"
)

// serveEndpoint is SNS's data plane under /_gureum/sns/: the signing certificate
// (SimpleNotificationService-<id>.pem), and the SubscribeURL and UnsubscribeURL that endpoints
// open without signing (?Action=ConfirmSubscription or ?Action=Unsubscribe), answered in the
// query protocol's XML as AWS answers them.
func (s *Service) serveEndpoint(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	rest := strings.TrimPrefix(r.URL.Path, endpointPrefix)
	if rest != "" {
		k, err := s.signingKey(ctx)
		if err != nil || endpointPrefix+rest != k.certPath() {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/x-x509-ca-cert")
		w.Write(k.certPEM)
		return
	}
	q := r.URL.Query()
	var out any
	var err error
	action := q.Get("Action")
	switch action {
	case "ConfirmSubscription":
		out, err = s.ConfirmSubscription(ctx, &ConfirmSubscriptionInput{TopicArn: q.Get("TopicArn"), Token: q.Get("Token")})
	case "Unsubscribe":
		out, err = s.unsubscribeByURL(ctx, q.Get("SubscriptionArn"))
	default:
		http.NotFound(w, r)
		return
	}
	writeXML(w, action, out, err)
}

// unsubscribeByURL is an UnsubscribeURL's Unsubscribe: refused where the subscription was
// confirmed with AuthenticateOnUnsubscribe.
func (s *Service) unsubscribeByURL(ctx context.Context, arn string) (*Empty, error) {
	x, err := s.subscription(ctx, arn)
	if err == nil && x.Attributes["ConfirmationWasAuthenticated"] == "true" {
		return nil, ErrAuthorizationError.Errorf("Unsubscribe requires authentication for this subscription")
	}
	if err != nil && !hasCode(err, ErrNotFound) {
		return nil, err
	}
	return s.Unsubscribe(ctx, &SubscriptionInput{SubscriptionArn: arn})
}

func writeXML(w http.ResponseWriter, action string, out any, err error) {
	w.Header().Set("Content-Type", "text/xml")
	if err != nil {
		code, e := awserr.Resolve(awserr.Query, err)
		w.WriteHeader(code.Status)
		xml.NewEncoder(w).Encode(struct {
			XMLName xml.Name `xml:"ErrorResponse"`
			Error   struct{ Type, Code, Message string }
		}{Error: struct{ Type, Code, Message string }{code.Fault(), code.QueryCode(), e.Message}})
		return
	}
	w.Write([]byte(xml.Header))
	enc := xml.NewEncoder(w)
	start := xml.StartElement{Name: xml.Name{Local: action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: "http://sns.amazonaws.com/doc/2010-03-31/"}}}
	enc.EncodeToken(start)
	enc.EncodeElement(out, xml.StartElement{Name: xml.Name{Local: action + "Result"}})
	enc.EncodeToken(start.End())
	enc.Flush()
}
