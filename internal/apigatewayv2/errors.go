package apigatewayv2

import "github.com/gureum/gureum/internal/awserr"

// API Gateway V2's error codes (the control plane's; the data plane answers {"message": …}).
var (
	ErrBadRequest      = &awserr.Code{Name: "BadRequestException", Status: 400}
	ErrConflict        = &awserr.Code{Name: "ConflictException", Status: 409}
	ErrNotFound        = &awserr.Code{Name: "NotFoundException", Status: 404}
	ErrTooManyRequests = &awserr.Code{Name: "TooManyRequestsException", Status: 429}
)

func notFound(what, account, id string) error {
	return ErrNotFound.Errorf("Invalid %s identifier specified %s:%s", what, account, id)
}

func badRequest(format string, args ...any) error { return ErrBadRequest.Errorf(format, args...) }
