-- Revenue, 75 cl bottles and orders per wine colour, premium wines only or not (a clustered bar chart).
select "_"."couleur", "_"."premium", "_"."a0", "_"."a1", "_"."a2"
from (
    select "rows"."couleur" as "couleur", "rows"."premium" as "premium", sum("rows"."montant_ht") as "a0",
        sum("rows"."bouteilles_75cl") as "a1", count(distinct("rows"."numero_vente")) as "a2"
    from (
        select "_"."montant_ht" as "montant_ht", "_"."bouteilles_75cl" as "bouteilles_75cl",
            "_"."numero_vente" as "numero_vente", "_2"."couleur" as "couleur",
            case when "_2"."premium" then 'premium' else 'courant' end as "premium"
        from "crm_bi"."fait_ventes" as "_"
        inner join "crm_bi"."dim_produit" as "_2" on ("_"."cle_produit" = "_2"."cle_produit")
    ) as "rows"
    group by "couleur", "premium"
) as "_"
where not "_"."a0" is null or not "_"."a1" is null
order by "_"."couleur", "_"."premium"
limit 1000001
