/*
 * Tests projection (emulators/salesforce/soql_project.c): attributes first and SELECT order, parent
 * paths as nested records, polymorphic owners, child subqueries, against the fake org in
 * soql_fake.h.
 */
#include "soql_fake.h"

TestSuite(soql_project, .init = org_setup, .fini = org_teardown);

Test(soql_project, parent_paths_project_as_nested_records)
{
    char want[1024], *got;

    got = project_first("SELECT LastName, Account.Name FROM Contact ORDER BY LastName", "62.0");
    snprintf(want, sizeof want,
             "{\"attributes\":{\"type\":\"Contact\",\"url\":\"/services/data/v62.0/sobjects/"
             "Contact/%s\"},\"LastName\":\"Hopper\",\"Account\":null}",
             c3);
    cr_assert_str_eq(got, want);
    free(got);

    got = project_first("SELECT LastName, account.name, ACCOUNT.OWNER.NAME, Account.Industry FROM "
                        "Contact WHERE LastName = 'Lovelace'",
                        "62.0");
    snprintf(want, sizeof want,
             "{\"attributes\":{\"type\":\"Contact\",\"url\":\"/services/data/v62.0/sobjects/"
             "Contact/%s\"},\"LastName\":\"Lovelace\",\"Account\":{\"attributes\":{\"type\":"
             "\"Account\",\"url\":\"/services/data/v62.0/sobjects/Account/%s\"},\"Name\":\"Acme\","
             "\"Owner\":{\"attributes\":{\"type\":\"User\",\"url\":\"/services/data/v62.0/"
             "sobjects/User/%s\"},\"Name\":\"Rita Rep\"},\"Industry\":\"Tech\"}}",
             c1, acme, user1);
    cr_assert_str_eq(got, want);
    free(got);

    cr_assert_str_eq(run("SELECT LastName FROM Contact WHERE Account.Name = 'acme'", "LastName"),
                     "Lovelace,Turing");
    cr_assert_str_eq(run("SELECT LastName FROM Contact WHERE Account.Name = null", "LastName"),
                     "Hopper");
    cr_assert_str_eq(
        run("SELECT LastName FROM Contact WHERE Account.Owner.Email LIKE 'rita%'", "LastName"),
        "Lovelace,Turing");
    cr_assert_str_eq(
        run("SELECT LastName FROM Contact ORDER BY Account.Name DESC, LastName DESC", "LastName"),
        "Turing,Lovelace,Hopper");
}

Test(soql_project, polymorphic_owner_resolves_per_record)
{
    char want[1024], *got;

    got = project_first("SELECT LastName, Owner.Name, Owner.Email, Owner.Type FROM Lead WHERE "
                        "LastName = 'O\\'Brien'",
                        "62.0");
    snprintf(want, sizeof want,
             "{\"attributes\":{\"type\":\"Lead\",\"url\":\"/services/data/v62.0/sobjects/Lead/"
             "%s\"},\"LastName\":\"O'Brien\",\"Owner\":{\"attributes\":{\"type\":\"Name\","
             "\"url\":\"/services/data/v62.0/sobjects/Group/%s\"},\"Name\":\"Web Queue\","
             "\"Email\":null,\"Type\":\"Queue\"}}",
             lead2, queue);
    cr_assert_str_eq(got, want);
    free(got);
    got = project_first("SELECT Owner.Name, Owner.Email, Owner.Type FROM Lead WHERE LastName = "
                        "'Smith'",
                        "62.0");
    snprintf(want, sizeof want,
             "{\"attributes\":{\"type\":\"Lead\",\"url\":\"/services/data/v62.0/sobjects/Lead/"
             "%s\"},\"Owner\":{\"attributes\":{\"type\":\"Name\",\"url\":\"/services/data/v62.0/"
             "sobjects/User/%s\"},\"Name\":\"Rita Rep\",\"Email\":\"rita@acme.test\",\"Type\":"
             "\"User\"}}",
             lead1, user1);
    cr_assert_str_eq(got, want);
    free(got);
    /* a dangling reference is a null relationship */
    got = project_first("SELECT Owner.Name FROM Lead WHERE LastName LIKE '100%'", "62.0");
    cr_assert(strstr(got, "\"Owner\":null"), "%s", got);
    free(got);
    cr_assert_str_eq(run("SELECT LastName FROM Lead WHERE Owner.Type = 'Queue'", "LastName"),
                     "O'Brien");
    cr_assert_str_eq(
        run("SELECT LastName FROM Lead WHERE Owner.Email = 'RITA@acme.test'", "LastName"), "Smith");
    {
        const char *users = run("SELECT LastName FROM Lead WHERE Owner.Type = 'User'", "LastName");
        cr_assert(strstr(users, "Smith") && !strstr(users, "O'Brien"), "%s", users);
    }
    /* a polymorphic relationship reaches the Name entity, not the referenced object */
    expect_error("SELECT Owner.Nope FROM Lead", "INVALID_FIELD",
                 "No such column 'Nope' on entity 'Name'");
}

Test(soql_project, child_subqueries_nest_their_own_clauses)
{
    char want[2048], *got;

    got = project_first("SELECT Name, (SELECT LastName, Owner.Name FROM Contacts ORDER BY "
                        "LastName) FROM Account WHERE Name = 'Acme'",
                        "62.0");
    snprintf(want, sizeof want,
             "{\"attributes\":{\"type\":\"Account\",\"url\":\"/services/data/v62.0/sobjects/"
             "Account/%s\"},\"Name\":\"Acme\",\"Contacts\":{\"totalSize\":2,\"done\":true,"
             "\"records\":[{\"attributes\":{\"type\":\"Contact\",\"url\":\"/services/data/v62.0/"
             "sobjects/Contact/%s\"},\"LastName\":\"Lovelace\",\"Owner\":{\"attributes\":{"
             "\"type\":\"User\",\"url\":\"/services/data/v62.0/sobjects/User/%s\"},\"Name\":"
             "\"Rita Rep\"}},{\"attributes\":{\"type\":\"Contact\",\"url\":\"/services/data/"
             "v62.0/sobjects/Contact/%s\"},\"LastName\":\"Turing\",\"Owner\":{\"attributes\":{"
             "\"type\":\"User\",\"url\":\"/services/data/v62.0/sobjects/User/%s\"},\"Name\":"
             "\"Sam Seller\"}}]}}",
             acme, c1, user1, c2, user2);
    cr_assert_str_eq(got, want);
    free(got);

    got = project_first("SELECT Name, (SELECT LastName FROM Contacts WHERE FirstName LIKE 'a%' "
                        "ORDER BY LastName DESC LIMIT 1) FROM Account WHERE Name = 'Acme'",
                        "62.0");
    cr_assert(strstr(got, "\"Contacts\":{\"totalSize\":1,\"done\":true,\"records\":[{"), "%s", got);
    cr_assert(strstr(got, "\"LastName\":\"Turing\"}]}"), "%s", got);
    free(got);

    /* an empty child relationship is null */
    got = project_first("SELECT Name, (SELECT Id FROM Contacts) FROM Account WHERE Name = "
                        "'Globex'",
                        "62.0");
    cr_assert(strstr(got, "\"Name\":\"Globex\",\"Contacts\":null}"), "%s", got);
    free(got);
    got = project_first("SELECT (SELECT Name FROM ChildAccounts) FROM Account WHERE Name = 'Acme'",
                        "62.0");
    cr_assert(strstr(got, "\"Name\":\"Acme EU\""), "%s", got);
    free(got);

    expect_error("SELECT Id, (SELECT Id FROM Foos) FROM Account", "INVALID_TYPE",
                 "Didn't understand relationship 'Foos' in FROM part of query call.");
    expect_error("SELECT Id, (SELECT Nope FROM Contacts) FROM Account", "INVALID_FIELD",
                 "No such column 'Nope' on entity 'Contact'");
    expect_error("SELECT Id, (SELECT Id, (SELECT Id FROM Contacts) FROM Contacts) FROM Account",
                 "MALFORMED_QUERY", NULL);
    expect_error("SELECT Id, (SELECT Id FROM Contacts FROM Account", "MALFORMED_QUERY", NULL);
}

Test(soql_project, projection_puts_attributes_first_and_fields_in_select_order)
{
    char want[512], *got;
    char q[256];

    snprintf(q, sizeof q, "select email, ID, phone, score__c from lead where id = '%s'", lead3);
    got = project_first(q, "62.0");
    snprintf(want, sizeof want,
             "{\"attributes\":{\"type\":\"Lead\",\"url\":\"/services/data/v62.0/sobjects/Lead/"
             "%s\"},\"Email\":null,\"Id\":\"%s\",\"Phone\":null,\"Score__c\":null}",
             lead3, lead3);
    cr_assert_str_eq(got, want);
    free(got);
    got = project_first(q, "v59.0");
    cr_assert(strstr(got, "/services/data/v59.0/sobjects/Lead/"), "%s", got);
    free(got);
}
