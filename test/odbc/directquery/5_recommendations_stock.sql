-- Recommendations per reason and colour, with their mean score and the stock available of the wines (a table visual).
select "_"."type_raison", "_"."couleur", "_"."a0", "_"."a1", "_"."a2", "_"."a3"
from (
    select "rows"."type_raison" as "type_raison", "rows"."couleur" as "couleur", count(1) as "a0",
        avg("rows"."score") as "a1", min("rows"."rang") as "a2", max("rows"."calculee_le") as "a3"
    from (
        select "_"."type_raison" as "type_raison", "_"."score" as "score", "_"."rang" as "rang",
            "_"."calculee_le" as "calculee_le", "_2"."couleur" as "couleur"
        from "crm_bi"."fait_recommandations" as "_"
        inner join "crm_bi"."dim_produit" as "_2" on ("_"."cle_produit" = "_2"."cle_produit")
        where "_2"."cle_produit" in (select "_3"."cle_produit" from "crm_bi"."fait_stock" as "_3"
                                      where "_3"."disponible" > 0)
    ) as "rows"
    group by "type_raison", "couleur"
) as "_"
order by "_"."type_raison", "_"."couleur"
limit 1000001
