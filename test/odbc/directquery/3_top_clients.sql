-- The 20 best customers by revenue (a Top N filter on a table visual).
select "_"."nom_client", "_"."code_client", "_"."ville", "_"."a0", "_"."a1"
from (
    select "rows"."nom_client" as "nom_client", "rows"."code_client" as "code_client", "rows"."ville" as "ville",
        sum("rows"."montant_ht") as "a0", sum("rows"."quantite") as "a1"
    from (
        select "_"."montant_ht" as "montant_ht", "_"."quantite" as "quantite", "_2"."nom_client" as "nom_client",
            "_2"."code_client" as "code_client", "_2"."ville" as "ville"
        from "crm_bi"."fait_ventes" as "_"
        inner join "crm_bi"."dim_client" as "_2" on ("_"."cle_client" = "_2"."cle_client")
        where "_2"."cle_client" <> -1
    ) as "rows"
    group by "nom_client", "code_client", "ville"
    order by "a0" desc, "code_client"
    limit 20
) as "_"
order by "_"."a0" desc, "_"."code_client"
limit 1000001
