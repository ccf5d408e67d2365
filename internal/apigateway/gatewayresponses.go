package apigateway

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/gureum/gureum/internal/apigateway/vtl"
)

// defaultStatus is each gateway response type's status (AWS's "Gateway response types");
// DEFAULT_4XX and DEFAULT_5XX have none of their own.
var defaultStatus = map[string]int{
	"ACCESS_DENIED": 403, "API_CONFIGURATION_ERROR": 500, "AUTHORIZER_CONFIGURATION_ERROR": 500, "AUTHORIZER_FAILURE": 500,
	"BAD_REQUEST_PARAMETERS": 400, "BAD_REQUEST_BODY": 400, "DEFAULT_4XX": 0, "DEFAULT_5XX": 0, "EXPIRED_TOKEN": 403,
	"INTEGRATION_FAILURE": 504, "INTEGRATION_TIMEOUT": 504, "INVALID_API_KEY": 403, "INVALID_SIGNATURE": 403,
	"MISSING_AUTHENTICATION_TOKEN": 403, "QUOTA_EXCEEDED": 429, "REQUEST_TOO_LARGE": 413, "RESOURCE_NOT_FOUND": 404,
	"THROTTLED": 429, "UNAUTHORIZED": 401, "UNSUPPORTED_MEDIA_TYPE": 415, "WAF_FILTERED": 403,
}

// defaultTemplate is the body of every gateway response until the API sets its own.
const defaultTemplate = `{"message":$context.error.messageString}`

// gatewayResponse renders a gateway error with the API's customisation of its type (else of
// DEFAULT_4XX or DEFAULT_5XX), as AWS does: its status, headers and body template.
func (s *Service) gatewayResponse(inv *invocation, gerr *gatewayError) *answer {
	ans := &answer{status: gerr.status, header: http.Header{"Content-Type": {"application/json"}}}
	msg, _ := json.Marshal(gerr.message)
	key := gerr.key
	if key == "" {
		key = "message"
	}
	ans.body = []byte(`{"` + key + `":` + string(msg) + `}`)
	gr := inv.gatewayResponses[gerr.rtype]
	if gr == nil {
		fallback := "DEFAULT_4XX"
		if gerr.status >= 500 {
			fallback = "DEFAULT_5XX"
		}
		gr = inv.gatewayResponses[fallback]
	}
	if gr == nil {
		return ans
	}
	if n, err := strconv.Atoi(gr.StatusCode); err == nil && gr.ResponseType == gerr.rtype {
		ans.status = n
	}
	for name, v := range gr.ResponseParameters {
		if h, ok := strings.CutPrefix(name, "gatewayresponse.header."); ok && len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
			ans.header.Set(h, v[1:len(v)-1])
		}
	}
	if tmpl, ok := gr.ResponseTemplates["application/json"]; ok {
		errCtx := vtl.NewMap()
		errCtx.Set("message", gerr.message)
		errCtx.Set("messageString", string(msg))
		errCtx.Set("responseType", gerr.rtype)
		c := vtl.NewMap()
		c.Set("error", errCtx)
		c.Set("requestId", inv.requestID)
		if inv.d != nil {
			c.Set("stage", inv.d.stage.StageName)
			c.Set("apiId", inv.d.apiID)
		}
		if out, err := vtl.Render(tmpl, map[string]any{"context": c, "util": vtl.Util{}}); err == nil {
			ans.body = []byte(out)
		}
	}
	return ans
}

// GatewayResponseInput is PutGatewayResponse's request (and names one).
type GatewayResponseInput struct {
	RestAPIID          string            `rest:"uri=restapi_id" json:"-"`
	ResponseType       string            `rest:"uri=response_type" json:"-"`
	StatusCode         string            `json:"statusCode"`
	ResponseParameters map[string]string `json:"responseParameters"`
	ResponseTemplates  map[string]string `json:"responseTemplates"`
}

// GatewayResponseOutput is a gateway response in an answer.
type GatewayResponseOutput struct {
	GatewayResponse
	Status int `rest:"status" json:"-"`
}

// GatewayResponsesOutput is GetGatewayResponses' answer.
type GatewayResponsesOutput struct {
	Items []GatewayResponse `json:"item"`
}

func defaultGatewayResponse(typ string) GatewayResponse {
	gr := GatewayResponse{ResponseType: typ, DefaultResponse: true, ResponseParameters: map[string]string{},
		ResponseTemplates: map[string]string{"application/json": defaultTemplate}}
	if n := defaultStatus[typ]; n != 0 {
		gr.StatusCode = strconv.Itoa(n)
	}
	return gr
}

// PutGatewayResponse customises a gateway response type.
func (s *Service) PutGatewayResponse(ctx context.Context, in *GatewayResponseInput) (*GatewayResponseOutput, error) {
	if _, ok := defaultStatus[in.ResponseType]; !ok {
		return nil, badRequest("Invalid response type specified: %s", in.ResponseType)
	}
	if in.StatusCode != "" && !validStatus(in.StatusCode) {
		return nil, badRequest("Invalid status code specified")
	}
	gr := &GatewayResponse{ResponseType: in.ResponseType, StatusCode: in.StatusCode, ResponseParameters: in.ResponseParameters, ResponseTemplates: in.ResponseTemplates}
	_, err := s.mutateAPI(ctx, in.RestAPIID, func(doc *restAPIDoc) error {
		if doc.GatewayResponses == nil {
			doc.GatewayResponses = map[string]*GatewayResponse{}
		}
		doc.GatewayResponses[in.ResponseType] = gr
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &GatewayResponseOutput{GatewayResponse: *gr, Status: 201}, nil
}

// GetGatewayResponse describes a gateway response type, customised or default.
func (s *Service) GetGatewayResponse(ctx context.Context, in *GatewayResponseInput) (*GatewayResponseOutput, error) {
	doc, _, err := s.loadAPI(ctx, callerAccount(ctx), in.RestAPIID)
	if err != nil {
		return nil, err
	}
	if _, ok := defaultStatus[in.ResponseType]; !ok {
		return nil, notFound("Gateway Response")
	}
	if gr := doc.GatewayResponses[in.ResponseType]; gr != nil {
		return &GatewayResponseOutput{GatewayResponse: *gr}, nil
	}
	return &GatewayResponseOutput{GatewayResponse: defaultGatewayResponse(in.ResponseType)}, nil
}

// GetGatewayResponses lists every gateway response type of an API.
func (s *Service) GetGatewayResponses(ctx context.Context, in *RestAPIInput) (*GatewayResponsesOutput, error) {
	doc, _, err := s.loadAPI(ctx, callerAccount(ctx), in.RestAPIID)
	if err != nil {
		return nil, err
	}
	types := make([]string, 0, len(defaultStatus))
	for t := range defaultStatus {
		types = append(types, t)
	}
	sort.Strings(types)
	out := &GatewayResponsesOutput{}
	for _, t := range types {
		if gr := doc.GatewayResponses[t]; gr != nil {
			out.Items = append(out.Items, *gr)
		} else {
			out.Items = append(out.Items, defaultGatewayResponse(t))
		}
	}
	return out, nil
}

// DeleteGatewayResponse resets a gateway response type to its default.
func (s *Service) DeleteGatewayResponse(ctx context.Context, in *GatewayResponseInput) (*Empty, error) {
	_, err := s.mutateAPI(ctx, in.RestAPIID, func(doc *restAPIDoc) error {
		if doc.GatewayResponses[in.ResponseType] == nil {
			return notFound("Gateway Response")
		}
		delete(doc.GatewayResponses, in.ResponseType)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{Status: 202}, nil
}
