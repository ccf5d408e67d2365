package sns

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/url"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// endpointPrefix is SNS's data plane: the signing certificate, SubscribeURL and UnsubscribeURL.
const endpointPrefix = "/_gureum/sns/"

// signer is the region's signing key and its self-signed certificate.
type signer struct {
	key     *rsa.PrivateKey
	certPEM []byte
	id      string // 32 hex digits naming the certificate file

	mu   sync.Mutex
	sigs map[string]string // recent signatures by version and hash of the signed text
}

// signingKey loads the region's key, generating and storing it the first time; every node and
// every restart uses the stored one, so certificates cached by validators stay good.
func (s *Service) signingKey(ctx context.Context) (*signer, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.key != nil {
		return s.key, nil
	}
	der, err := s.store.SigningKey(ctx, s.region, nil, s.clock.Now())
	if errors.Is(err, store.ErrNotFound) {
		k, gerr := rsa.GenerateKey(rand.Reader, 2048)
		if gerr != nil {
			return nil, gerr
		}
		der, err = s.store.SigningKey(ctx, s.region, x509.MarshalPKCS1PrivateKey(k), s.clock.Now())
	}
	if err != nil {
		return nil, err
	}
	key, err := x509.ParsePKCS1PrivateKey(der)
	if err != nil {
		return nil, err
	}
	pub, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	sum := sha256.Sum256(pub)
	tmpl := &x509.Certificate{
		SerialNumber: new(big.Int).SetBytes(sum[:16]),
		Subject:      pkix.Name{CommonName: "sns." + s.region + ".amazonaws.com", Organization: []string{"gureum"}},
		NotBefore:    time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	cert, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	s.key = &signer{key: key, certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert}), id: hex.EncodeToString(sum[:16])}
	return s.key, nil
}

// certPath is the path of the signing certificate under the data-plane prefix.
func (k *signer) certPath() string {
	return endpointPrefix + "SimpleNotificationService-" + k.id + ".pem"
}

// stringToSign is the text AWS signs: "name\nvalue\n" for each field present, in AWS's order
// (SNS DG "Verifying the signatures of Amazon SNS messages").
func stringToSign(e *envelope) []byte {
	var b bytes.Buffer
	add := func(name, value string) {
		b.WriteString(name + "\n" + value + "\n")
	}
	add("Message", e.Message)
	add("MessageId", e.MessageId)
	if e.Type == "Notification" {
		if e.Subject != "" {
			add("Subject", e.Subject)
		}
		add("Timestamp", e.Timestamp)
		add("TopicArn", e.TopicArn)
		add("Type", e.Type)
		return b.Bytes()
	}
	add("SubscribeURL", e.SubscribeURL)
	add("Timestamp", e.Timestamp)
	add("Token", e.Token)
	add("TopicArn", e.TopicArn)
	add("Type", e.Type)
	return b.Bytes()
}

// sign sets the envelope's signature fields: SHA1withRSA for version 1, SHA256withRSA for 2.
func (k *signer) sign(e *envelope, version, base string) error {
	if version == "" {
		version = "1"
	}
	text := stringToSign(e)
	digest := sha256.Sum256(text)
	key := version + string(digest[:]) // the cache's key: a fan-out signs its text once
	if sig, ok := k.cached(key); ok {
		e.SignatureVersion, e.Signature, e.SigningCertURL = version, sig, base+k.certPath()
		return nil
	}
	var sig []byte
	var err error
	if version == "2" {
		sum := sha256.Sum256(text)
		sig, err = rsa.SignPKCS1v15(nil, k.key, crypto.SHA256, sum[:])
	} else {
		sum := sha1.Sum(text)
		sig, err = rsa.SignPKCS1v15(nil, k.key, crypto.SHA1, sum[:])
	}
	if err != nil {
		return err
	}
	e.SignatureVersion, e.Signature, e.SigningCertURL = version, base64.StdEncoding.EncodeToString(sig), base+k.certPath()
	k.remember(key, e.Signature)
	return nil
}

// signatureCache bounds the signatures kept: every subscription of a fan-out (and every retry)
// gets the same signed text, and an RSA signature costs about a millisecond.
const signatureCache = 1024

func (k *signer) cached(key string) (string, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	sig, ok := k.sigs[key]
	return sig, ok
}

func (k *signer) remember(key, sig string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.sigs == nil || len(k.sigs) >= signatureCache {
		k.sigs = make(map[string]string, signatureCache)
	}
	k.sigs[key] = sig
}

// envelope is the SNS message JSON, its keys in the order AWS emits them.
type envelope struct {
	Type              string
	MessageId         string
	SequenceNumber    string `json:",omitempty"`
	Token             string `json:",omitempty"`
	TopicArn          string
	Subject           string `json:",omitempty"`
	Message           string
	SubscribeURL      string `json:",omitempty"`
	Timestamp         string
	SignatureVersion  string               `json:",omitempty"`
	Signature         string               `json:",omitempty"`
	SigningCertURL    string               `json:",omitempty"`
	UnsubscribeURL    string               `json:",omitempty"`
	MessageAttributes map[string]attribute `json:",omitempty"`
}

// envelopeOf builds and signs (standard topics only, as AWS) a delivery's envelope.
func (s *Service) envelopeOf(ctx context.Context, p payload) (*envelope, error) {
	e := &envelope{Type: p.Type, MessageId: p.MessageID, SequenceNumber: p.Seq, TopicArn: p.Topic, Subject: p.Subject,
		Message: p.Message, Timestamp: p.Timestamp, MessageAttributes: p.Attrs}
	switch p.Type {
	case "Notification":
		e.UnsubscribeURL = p.BaseURL + endpointPrefix + "?Action=Unsubscribe&SubscriptionArn=" + url.QueryEscape(p.Sub)
	default:
		e.Token = p.Token
		e.SubscribeURL = p.BaseURL + endpointPrefix + "?Action=ConfirmSubscription&TopicArn=" + url.QueryEscape(p.Topic) + "&Token=" + p.Token
	}
	if p.FIFO {
		return e, nil
	}
	k, err := s.signingKey(ctx)
	if err != nil {
		return nil, err
	}
	return e, k.sign(e, p.SigVersion, p.BaseURL)
}

// envelope is a delivery's envelope as JSON, without HTML escaping (as AWS sends it).
func (s *Service) envelope(ctx context.Context, p payload) ([]byte, error) {
	e, err := s.envelopeOf(ctx, p)
	if err != nil {
		return nil, err
	}
	return marshal(e), nil
}

func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// lambdaEvent is the event a function gets, as aws-lambda-go's events.SNSEvent decodes it.
func (s *Service) lambdaEvent(ctx context.Context, p payload) ([]byte, error) {
	e, err := s.envelopeOf(ctx, p)
	if err != nil {
		return nil, err
	}
	type record struct {
		Signature         string
		MessageId         string
		Type              string
		TopicArn          string
		MessageAttributes map[string]attribute
		SignatureVersion  string
		Timestamp         string
		SigningCertUrl    string
		Message           string
		UnsubscribeUrl    string
		Subject           *string
	}
	r := record{Signature: e.Signature, MessageId: e.MessageId, Type: e.Type, TopicArn: e.TopicArn, MessageAttributes: e.MessageAttributes,
		SignatureVersion: e.SignatureVersion, Timestamp: e.Timestamp, SigningCertUrl: e.SigningCertURL, Message: e.Message, UnsubscribeUrl: e.UnsubscribeURL}
	if r.MessageAttributes == nil {
		r.MessageAttributes = map[string]attribute{}
	}
	if e.Subject != "" {
		r.Subject = &e.Subject
	}
	ev := map[string]any{"Records": []any{map[string]any{"EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": p.Sub, "Sns": r}}}
	return marshal(ev), nil
}

func decodeBase64(s string) []byte {
	b, _ := base64.StdEncoding.DecodeString(s)
	return b
}
