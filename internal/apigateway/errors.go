package apigateway

import "github.com/gureum/gureum/internal/awserr"

// API Gateway's error codes (the control plane's; the data plane answers gateway responses).
var (
	ErrBadRequest      = &awserr.Code{Name: "BadRequestException", Status: 400}
	ErrConflict        = &awserr.Code{Name: "ConflictException", Status: 409}
	ErrNotFound        = &awserr.Code{Name: "NotFoundException", Status: 404}
	ErrLimitExceeded   = &awserr.Code{Name: "LimitExceededException", Status: 429}
	ErrTooManyRequests = &awserr.Code{Name: "TooManyRequestsException", Status: 429}
	ErrUnauthorized    = &awserr.Code{Name: "UnauthorizedException", Status: 401}
)

func notFound(what string) error { return ErrNotFound.Errorf("Invalid %s identifier specified", what) }

func badRequest(format string, args ...any) error { return ErrBadRequest.Errorf(format, args...) }
