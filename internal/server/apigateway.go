package server

import (
	"time"

	"github.com/gureum/gureum/internal/apigateway/domain"
	"github.com/gureum/gureum/internal/store"
)

// apigatewayDomains is the per-node cache of API Gateway's custom domain names, shared by the
// REST APIs (CreateDomainName, base path mappings) and apigatewayv2 (API mappings, and the data
// plane that answers a request whose Host is a domain name).
func apigatewayDomains(st store.Store, cfg Config) *domain.Cache {
	if st == nil {
		return nil
	}
	return domain.NewCache(st, time.Second, cfg.Now)
}
