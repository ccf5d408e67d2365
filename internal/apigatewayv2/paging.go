package apigatewayv2

import (
	"sort"
	"strconv"
)

// page cuts one page from items (sorted by key here): at most maxResults (the query's text; ""
// is all), starting after the item whose key is token.
func page[T any](items []T, maxResults, token string, key func(T) string) ([]T, string, error) {
	sort.Slice(items, func(i, j int) bool { return key(items[i]) < key(items[j]) })
	n := len(items)
	if maxResults != "" {
		m, err := strconv.Atoi(maxResults)
		if err != nil || m < 1 {
			return nil, "", badRequest("Invalid value for maxResults: %s", maxResults)
		}
		n = m
	}
	start := 0
	if token != "" {
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) > token })
	}
	end := min(start+n, len(items))
	next := ""
	if end < len(items) {
		next = key(items[end-1])
	}
	return items[start:end], next, nil
}

// values lists a map's values.
func values[T any](m map[string]*T) []T {
	out := make([]T, 0, len(m))
	for _, v := range m {
		out = append(out, *v)
	}
	return out
}
