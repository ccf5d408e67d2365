package server

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
)

// useTLS makes the listeners (main and private) serve HTTPS with the certificate and key files
// given (--tls-cert, --tls-key): PEM, the certificate file holding the chain. Both or neither.
func (s *Server) useTLS(cfg Config) error {
	if cfg.TLSCert == "" && cfg.TLSKey == "" {
		return nil
	}
	if cfg.TLSCert == "" || cfg.TLSKey == "" {
		return fmt.Errorf("--tls-cert and --tls-key go together")
	}
	cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
	if err != nil {
		return fmt.Errorf("--tls-cert/--tls-key: %w", err)
	}
	s.tls = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	return nil
}

// serve answers on a listener, over TLS when it is configured.
func (s *Server) serve(srv *http.Server, ln net.Listener) error {
	if s.tls == nil {
		return srv.Serve(ln)
	}
	srv.TLSConfig = s.tls.Clone()
	return srv.ServeTLS(ln, "", "")
}

// scheme is the listeners' URL scheme.
func (s *Server) scheme() string {
	if s.tls != nil {
		return "https://"
	}
	return "http://"
}
