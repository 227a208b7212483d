/*
 * geo.c: the state and country/territory picklist data (see geo.h). Pure
 * constant tables; a subset of what a real org ships, with every state of
 * the countries listed that carry states. Read by schema.c, describe.c and
 * validate.c.
 */
#include "emulators/salesforce/geo.h"

#include <string.h>
#include <strings.h>

const struct geo_country geo_countries[] = {
    {"AU", "Australia"},     {"AT", "Austria"}, {"BE", "Belgium"},     {"BR", "Brazil"},
    {"CA", "Canada"},        {"CN", "China"},   {"DK", "Denmark"},     {"FI", "Finland"},
    {"FR", "France"},        {"DE", "Germany"}, {"IN", "India"},       {"IE", "Ireland"},
    {"IT", "Italy"},         {"JP", "Japan"},   {"MX", "Mexico"},      {"NL", "Netherlands"},
    {"NZ", "New Zealand"},   {"NO", "Norway"},  {"PT", "Portugal"},    {"SG", "Singapore"},
    {"ES", "Spain"},         {"SE", "Sweden"},  {"CH", "Switzerland"}, {"GB", "United Kingdom"},
    {"US", "United States"}, {"UY", "Uruguay"},
};
const size_t geo_ncountries = sizeof(geo_countries) / sizeof(geo_countries[0]);

const struct geo_state geo_states[] = {
    {"US", "AL", "Alabama"},
    {"US", "AK", "Alaska"},
    {"US", "AZ", "Arizona"},
    {"US", "AR", "Arkansas"},
    {"US", "CA", "California"},
    {"US", "CO", "Colorado"},
    {"US", "CT", "Connecticut"},
    {"US", "DE", "Delaware"},
    {"US", "DC", "District of Columbia"},
    {"US", "FL", "Florida"},
    {"US", "GA", "Georgia"},
    {"US", "HI", "Hawaii"},
    {"US", "ID", "Idaho"},
    {"US", "IL", "Illinois"},
    {"US", "IN", "Indiana"},
    {"US", "IA", "Iowa"},
    {"US", "KS", "Kansas"},
    {"US", "KY", "Kentucky"},
    {"US", "LA", "Louisiana"},
    {"US", "ME", "Maine"},
    {"US", "MD", "Maryland"},
    {"US", "MA", "Massachusetts"},
    {"US", "MI", "Michigan"},
    {"US", "MN", "Minnesota"},
    {"US", "MS", "Mississippi"},
    {"US", "MO", "Missouri"},
    {"US", "MT", "Montana"},
    {"US", "NE", "Nebraska"},
    {"US", "NV", "Nevada"},
    {"US", "NH", "New Hampshire"},
    {"US", "NJ", "New Jersey"},
    {"US", "NM", "New Mexico"},
    {"US", "NY", "New York"},
    {"US", "NC", "North Carolina"},
    {"US", "ND", "North Dakota"},
    {"US", "OH", "Ohio"},
    {"US", "OK", "Oklahoma"},
    {"US", "OR", "Oregon"},
    {"US", "PA", "Pennsylvania"},
    {"US", "RI", "Rhode Island"},
    {"US", "SC", "South Carolina"},
    {"US", "SD", "South Dakota"},
    {"US", "TN", "Tennessee"},
    {"US", "TX", "Texas"},
    {"US", "UT", "Utah"},
    {"US", "VT", "Vermont"},
    {"US", "VA", "Virginia"},
    {"US", "WA", "Washington"},
    {"US", "WV", "West Virginia"},
    {"US", "WI", "Wisconsin"},
    {"US", "WY", "Wyoming"},
    {"CA", "AB", "Alberta"},
    {"CA", "BC", "British Columbia"},
    {"CA", "MB", "Manitoba"},
    {"CA", "NB", "New Brunswick"},
    {"CA", "NL", "Newfoundland and Labrador"},
    {"CA", "NT", "Northwest Territories"},
    {"CA", "NS", "Nova Scotia"},
    {"CA", "NU", "Nunavut"},
    {"CA", "ON", "Ontario"},
    {"CA", "PE", "Prince Edward Island"},
    {"CA", "QC", "Quebec"},
    {"CA", "SK", "Saskatchewan"},
    {"CA", "YT", "Yukon Territories"},
    {"AU", "ACT", "Australian Capital Territory"},
    {"AU", "NSW", "New South Wales"},
    {"AU", "NT", "Northern Territory"},
    {"AU", "QLD", "Queensland"},
    {"AU", "SA", "South Australia"},
    {"AU", "TAS", "Tasmania"},
    {"AU", "VIC", "Victoria"},
    {"AU", "WA", "Western Australia"},
    {"BR", "AC", "Acre"},
    {"BR", "AL", "Alagoas"},
    {"BR", "AP", "Amapá"},
    {"BR", "AM", "Amazonas"},
    {"BR", "BA", "Bahia"},
    {"BR", "CE", "Ceará"},
    {"BR", "DF", "Distrito Federal"},
    {"BR", "ES", "Espírito Santo"},
    {"BR", "GO", "Goiás"},
    {"BR", "MA", "Maranhão"},
    {"BR", "MT", "Mato Grosso"},
    {"BR", "MS", "Mato Grosso do Sul"},
    {"BR", "MG", "Minas Gerais"},
    {"BR", "PA", "Pará"},
    {"BR", "PB", "Paraíba"},
    {"BR", "PR", "Paraná"},
    {"BR", "PE", "Pernambuco"},
    {"BR", "PI", "Piauí"},
    {"BR", "RJ", "Rio de Janeiro"},
    {"BR", "RN", "Rio Grande do Norte"},
    {"BR", "RS", "Rio Grande do Sul"},
    {"BR", "RO", "Rondônia"},
    {"BR", "RR", "Roraima"},
    {"BR", "SC", "Santa Catarina"},
    {"BR", "SP", "São Paulo"},
    {"BR", "SE", "Sergipe"},
    {"BR", "TO", "Tocantins"},
    {"MX", "AG", "Aguascalientes"},
    {"MX", "BC", "Baja California"},
    {"MX", "CH", "Chihuahua"},
    {"MX", "DF", "Ciudad de México"},
    {"MX", "JA", "Jalisco"},
    {"MX", "NL", "Nuevo León"},
    {"MX", "PU", "Puebla"},
    {"MX", "QT", "Querétaro"},
    {"MX", "YU", "Yucatán"},
    {"UY", "CA", "Canelones"},
    {"UY", "FD", "Florida"},
    {"UY", "MO", "Montevideo"},
    {"UY", "MA", "Maldonado"},
    {"UY", "SA", "Salto"},
    {"JP", "13", "Tokyo"},
    {"JP", "27", "Osaka"},
    {"JP", "01", "Hokkaido"},
    {"JP", "14", "Kanagawa"},
    {"JP", "23", "Aichi"},
};
const size_t geo_nstates = sizeof(geo_states) / sizeof(geo_states[0]);

int geo_country_by_code(const char *code)
{
    for (size_t i = 0; code && i < geo_ncountries; i++)
        if (strcasecmp(geo_countries[i].code, code) == 0)
            return (int)i;
    return -1;
}

int geo_country_by_label(const char *label)
{
    for (size_t i = 0; label && i < geo_ncountries; i++)
        if (strcasecmp(geo_countries[i].label, label) == 0)
            return (int)i;
    return -1;
}

int geo_state_by_code(const char *country, const char *code)
{
    for (size_t i = 0; country && code && i < geo_nstates; i++)
        if (strcasecmp(geo_states[i].country, country) == 0 &&
            strcasecmp(geo_states[i].code, code) == 0)
            return (int)i;
    return -1;
}

int geo_state_by_label(const char *country, const char *label)
{
    for (size_t i = 0; country && label && i < geo_nstates; i++)
        if (strcasecmp(geo_states[i].country, country) == 0 &&
            strcasecmp(geo_states[i].label, label) == 0)
            return (int)i;
    return -1;
}
